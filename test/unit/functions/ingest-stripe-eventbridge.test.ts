import type { EventBridgeEvent } from 'aws-lambda';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createIngestStripeEventBridgeHandler } from '../../../functions/ingest-stripe-eventbridge.ts';
import { ingestStoresOn } from '../../../shared/adapters/dynamodb/collections-table.ts';
import { InvalidRequestError, LivemodeMismatchError } from '../../../shared/domain/errors.ts';
import { defaultStrategy } from '../../../workflows/strategies/index.ts';
import { embeddedCollectionsTablePerFile, uniqueSuffix } from '../../support/embedded-collections-table.ts';
import { RecordingJourneyStarter, TestClock } from '../../support/fake-ports.ts';
import { stripeInvoiceEvent } from '../../support/stripe-events.ts';

const embedded = embeddedCollectionsTablePerFile();

/** How EventBridge delivers a Stripe event from the partner event bus: the event is the detail. */
function partnerEvent(detail: unknown): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: '5b2e6c2a-4f1d-4c3b-9a8e-7d6f5e4c3b2a',
    'detail-type': (detail as { type?: string }).type ?? 'unknown',
    source: 'aws.partner/stripe.com/ed_61SQ3kLLkdIwHu7ixTq9fV2WbM4nZ8Yc',
    account: '123456789012',
    time: '2026-11-02T10:14:10Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

function setup() {
  const { table } = embedded;
  const journeys = new RecordingJourneyStarter();
  const handler = createIngestStripeEventBridgeHandler({
    ...ingestStoresOn(table),
    journeys,
    clock: new TestClock('2026-11-02T10:14:11.000Z'),
    strategy: defaultStrategy,
    livemode: false,
  });
  return { handler, journeys };
}

function failedEvent(overrides: { livemode?: boolean } = {}): Stripe.Event {
  const suffix = uniqueSuffix();
  return stripeInvoiceEvent('invoice.payment_failed', {
    eventId: `evt_eb_${suffix}`,
    invoiceId: `in_eb_${suffix}`,
    customerId: `cus_eb_${suffix}`,
    ...overrides,
  });
}

describe('ingestStripeEventBridge', () => {
  it('applies a Stripe event from the partner bus through the same core, once', async () => {
    // Prepare
    const { handler, journeys } = setup();
    const event = failedEvent();

    // Act
    const first = await handler(partnerEvent(event));
    const again = await handler(partnerEvent(event));

    // Assess
    expect(first).toMatchObject({ status: 'applied', caseOpened: true });
    expect(again).toEqual({ status: 'duplicate' });
    expect(journeys.startedCaseIds).toHaveLength(1);
  });

  it('throws (so EventBridge retries, then dead-letters) on a detail that is not a Stripe event', async () => {
    // Prepare
    const { handler } = setup();

    // Act & Assess
    await expect(handler(partnerEvent({ hello: 'world' }))).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('refuses an event of the other mode', async () => {
    // Prepare
    const { handler } = setup();

    // Act & Assess
    await expect(handler(partnerEvent(failedEvent({ livemode: true })))).rejects.toBeInstanceOf(
      LivemodeMismatchError,
    );
  });
});
