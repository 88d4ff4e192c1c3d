import type { DeliveryEvent } from '../domain/channel-events.ts';
import type { ContactConsent } from '../domain/contact-consent.ts';
import type { Interaction } from '../domain/interaction.ts';
import type { CaseStore, ConsentStore, ContactDirectory, InteractionStore } from '../ports.ts';

export interface RecordDeliveryDependencies {
  readonly cases: CaseStore;
  readonly interactions: InteractionStore;
  readonly consents: ConsentStore;
  readonly directory: ContactDirectory;
}

export type RecordDeliveryOutcome =
  | { readonly status: 'recorded' | 'duplicate'; readonly caseId?: string; readonly suppressed: boolean }
  /** Neither the event's correlation nor its address leads to a customer (a message we did not send). */
  | { readonly status: 'unmatched' };

/**
 * Puts a delivery or engagement event on the case timeline, once (a redelivered event finds its
 * interaction recorded), and suppresses the address when the event proves it dead (hard bounce,
 * complaint, invalid number). Correlation first (the ids we sent), then the address book.
 * Idempotent, so SNS may deliver the same event any number of times.
 */
export async function recordDeliveryEvent(
  event: DeliveryEvent,
  deps: RecordDeliveryDependencies,
): Promise<RecordDeliveryOutcome> {
  let caseId = event.correlation?.caseId;
  let customerId: string | undefined;
  if (caseId !== undefined) customerId = (await deps.cases.getCase(caseId))?.customerId;
  if (customerId === undefined && event.address !== undefined) {
    const link = await deps.directory.findAddress(event.channel, event.address);
    customerId = link?.customerId;
    caseId ??= link?.caseId;
  }
  if (customerId === undefined) return { status: 'unmatched' };

  const interaction: Interaction = {
    interactionId: `${event.channel}:${event.eventId}`,
    channel: event.channel,
    kind: event.kind,
    occurredAt: event.occurredAt,
    ...(caseId ? { caseId } : {}),
    customerId,
    ...(event.correlation?.stepId ? { stepId: event.correlation.stepId } : {}),
    ...(event.correlation?.variant ? { variant: event.correlation.variant } : {}),
    ...(event.providerMessageId ? { providerMessageId: event.providerMessageId } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  };
  const recorded = await deps.interactions.recordInteraction(interaction);

  let suppressed = false;
  if (event.suppress !== undefined && event.address !== undefined) {
    const consent: ContactConsent = {
      customerId,
      channel: event.channel,
      // A complaint or a provider opt-out is the debtor saying no; a bounce or a dead number is the address failing.
      status:
        event.suppress === 'email-complaint' || event.suppress === 'provider-opted-out'
          ? 'opted-out'
          : 'suppressed',
      address: event.address,
      reason: event.suppress,
      decidedAt: event.occurredAt,
      sourceEventId: event.eventId,
    };
    await deps.consents.putConsent(consent);
    suppressed = true;
  }
  return { status: recorded ? 'recorded' : 'duplicate', ...(caseId ? { caseId } : {}), suppressed };
}
