import { describe, expect, it } from 'vitest';
import {
  availableSurfaces,
  type Channel,
  type DebtorResponse,
  type DebtorSituation,
  type ProductSurface,
  type ReceivedMessage,
  respondToMessage,
  responseProbability,
} from '../../../../infra/local/simulator/debtor-behaviour.ts';
import { buildPopulation } from '../../../../infra/local/simulator/population.ts';
import { SeededRandom } from '../../../../infra/local/simulator/seeded-random.ts';

const population = buildPopulation(new SeededRandom(3).fork('population'), { customers: 400, idTag: 'D' });
const original: ReadonlySet<ProductSurface> = new Set(['billing-webhooks', 'outbox']);

function message(index: number, channel: Channel, ordinal: number, portalLink?: string): ReceivedMessage {
  return {
    caseId: `case_${index}`,
    stepId: `step-${ordinal}`,
    template: ordinal === 3 ? 'final-notice' : 'payment-failed',
    channel,
    // 14:00 UTC: daytime in most markets.
    sentAt: new Date(Date.UTC(2026, 2, 2 + ordinal, 14)),
    ordinal,
    ...(portalLink ? { portalLink } : {}),
  };
}

/** Three messages to every subscriber, answered with streams derived from `seed`. */
function answers(
  seed: number,
  options: { surfaces: ReadonlySet<ProductSurface>; canDispute: boolean; channel?: Channel; link?: boolean },
): DebtorResponse[] {
  const random = new SeededRandom(seed);
  return population.flatMap((subscriber) => {
    const streams = {
      reaction: random.fork(`debtor-${subscriber.index}`),
      choices: random.fork(`debtor-${subscriber.index}/choices`),
    };
    const situation: DebtorSituation = {
      subscriber,
      declineCategories: ['soft'],
      subscriptionCanceled: false,
      canDispute: options.canDispute,
    };
    return [1, 2, 3].map((ordinal) =>
      respondToMessage(
        message(
          subscriber.index,
          options.channel ?? 'email',
          ordinal,
          options.link === false ? undefined : 'http://127.0.0.1/portal/l/v1.x.y.z',
        ),
        situation,
        streams,
        options.surfaces,
      ),
    );
  });
}

const kinds = (responses: readonly DebtorResponse[]) => new Set(responses.map((response) => response.kind));

describe('responseProbability', () => {
  it('depends on the message variant: the short first notice wins over the detailed one', () => {
    // Prepare: the same debtor, hour, channel and decline; only the variant's template differs.
    const subscriber = population.find(
      (candidate) => candidate.willingness > 0.2 && candidate.willingness < 0.5,
    );
    if (subscriber === undefined) throw new Error('no subscriber of middling willingness');
    const situation: DebtorSituation = {
      subscriber,
      declineCategories: ['soft'],
      subscriptionCanceled: false,
      canDispute: false,
    };
    const first = message(subscriber.index, 'email', 1);

    // Act
    const detailed = responseProbability({ ...first, template: 'payment-failed' }, situation);
    const short = responseProbability({ ...first, template: 'payment-failed-short' }, situation);
    const unknown = responseProbability({ ...first, template: 'no-such-template' }, situation);

    // Assert
    expect(short / detailed).toBeCloseTo(1.15, 10);
    expect(unknown).toBe(detailed);
  });
});

describe('respondToMessage', () => {
  it('is deterministic for the same streams', () => {
    expect(answers(5, { surfaces: availableSurfaces, canDispute: true })).toEqual(
      answers(5, { surfaces: availableSurfaces, canDispute: true }),
    );
    expect(answers(5, { surfaces: availableSurfaces, canDispute: true })).not.toEqual(
      answers(6, { surfaces: availableSurfaces, canDispute: true }),
    );
  });

  it('draws every response, each only where its surface is driven', () => {
    const all = answers(5, { surfaces: availableSurfaces, canDispute: true });
    const withoutPortal = answers(5, { surfaces: availableSurfaces, canDispute: true, link: false });
    const withoutDisputes = answers(5, { surfaces: availableSurfaces, canDispute: false });
    const onlyWebhooks = answers(5, { surfaces: original, canDispute: false });

    expect(kinds(all)).toEqual(
      new Set(['pay', 'update-card', 'opt-out', 'promise', 'plan', 'dispute', 'ignore']),
    );
    expect(kinds(withoutPortal)).not.toContain('promise');
    expect(kinds(withoutPortal)).not.toContain('plan');
    expect(kinds(withoutDisputes)).not.toContain('dispute');
    expect(kinds(onlyWebhooks)).toEqual(new Set(['pay', 'update-card', 'ignore']));
    const routes = all.flatMap((response) => (response.kind === 'pay' ? [response.via] : []));
    expect(new Set(routes)).toEqual(new Set(['portal', 'hosted-page']));
  });

  it('keeps the draws of paying and updating the card: only debtors who now commit or opt out answer otherwise', () => {
    // Prepare: the model restricted to the original surfaces draws what it drew before commitments.
    const before = answers(9, { surfaces: original, canDispute: false });

    // Act
    const now = answers(9, { surfaces: availableSurfaces, canDispute: true });

    // Assess
    let changed = 0;
    now.forEach((response, index) => {
      const earlier = before[index];
      if (response.kind === 'pay' || response.kind === 'update-card') {
        expect(earlier).toMatchObject({ kind: response.kind, at: response.at });
      } else if (response.kind === 'ignore') {
        expect(earlier?.kind).toBe('ignore');
      } else {
        changed += 1;
      }
    });
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(now.length * 0.15);
  });

  it('opts out of texts more readily than of emails, and only through a surface that can carry it', () => {
    const share = (responses: readonly DebtorResponse[]) =>
      responses.filter((response) => response.kind === 'opt-out').length / responses.length;
    const sms = answers(5, { surfaces: availableSurfaces, canDispute: true, channel: 'sms' });
    const email = answers(5, { surfaces: availableSurfaces, canDispute: true, channel: 'email' });
    const noInbound = answers(5, {
      surfaces: new Set<ProductSurface>(['billing-webhooks', 'outbox', 'portal', 'channel-events']),
      canDispute: true,
      channel: 'sms',
    });

    expect(share(sms)).toBeGreaterThan(share(email));
    expect(share(email)).toBeGreaterThan(0);
    expect(share(noInbound)).toBe(0);
    for (const response of sms) if (response.kind === 'opt-out') expect(response.channel).toBe('sms');
  });

  it('leaves emails mostly through their unsubscribe link, the rest as spam, and texts with STOP', () => {
    const random = new SeededRandom(8);
    const vias = population.flatMap((subscriber) => {
      const streams = {
        reaction: random.fork(`d-${subscriber.index}`),
        choices: random.fork(`c-${subscriber.index}`),
      };
      const situation: DebtorSituation = {
        subscriber,
        declineCategories: ['soft'],
        subscriptionCanceled: false,
      };
      return [1, 2, 3, 4, 5].flatMap((ordinal) => {
        const email = { ...message(subscriber.index, 'email', ordinal), unsubscribeLink: true };
        const response = respondToMessage(email, situation, streams, availableSurfaces);
        return response.kind === 'opt-out' ? [response.via] : [];
      });
    });
    const links = vias.filter((via) => via === 'unsubscribe-link').length;

    expect(new Set(vias)).toEqual(new Set(['unsubscribe-link', 'spam-complaint']));
    expect(links).toBeGreaterThan(vias.length / 2);
    for (const response of answers(5, { surfaces: availableSurfaces, canDispute: true, channel: 'sms' }))
      if (response.kind === 'opt-out') expect(response.via).toBe('reply');
  });

  it('promises within the portal window and plans of 2 to 4 instalments', () => {
    const all = answers(5, { surfaces: availableSurfaces, canDispute: true });
    for (const response of all) {
      if (response.kind === 'promise') {
        expect(response.inDays).toBeGreaterThanOrEqual(1);
        expect(response.inDays).toBeLessThanOrEqual(10);
        expect(response.payHour).toBeGreaterThanOrEqual(9);
        expect(response.payHour).toBeLessThanOrEqual(17);
      }
      if (response.kind === 'plan') expect([2, 3, 4]).toContain(response.instalments);
    }
    const promises = all.filter((response) => response.kind === 'promise');
    expect(new Set(promises.map((response) => response.keeps))).toEqual(new Set([true, false]));
  });
});
