/**
 * One error taxonomy for the product. Handlers map these to HTTP status codes or
 * Step Functions error names; anything else becomes a generic 5xx without internals.
 */
export class CollectionsError extends Error {
  /** HTTP status a handler answers with when this error reaches it. */
  public readonly statusCode: number = 500;
  /** Whether the message may be shown to the caller (4xx only). */
  public get expose(): boolean {
    return this.statusCode < 500;
  }
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class SignatureVerificationError extends CollectionsError {
  public override readonly statusCode = 400;
}

export class InvalidRequestError extends CollectionsError {
  public override readonly statusCode = 400;
}

export class UnsupportedEventError extends CollectionsError {
  public override readonly statusCode = 400;
}

export class LivemodeMismatchError extends CollectionsError {
  public override readonly statusCode = 400;
}

export class CaseNotFoundError extends CollectionsError {
  public override readonly statusCode = 404;
}

export class ConfigurationError extends CollectionsError {}

/**
 * The committed public holiday table has no data for a year: which days are holidays then is
 * unknown, so the caller stops rather than contact on one. Widen its range: `npm run holidays`.
 */
export class HolidayYearOutOfRangeError extends CollectionsError {}

/** A conditional write lost a race; the caller re-reads and tries again. */
export class ConcurrentUpdateError extends CollectionsError {
  public override readonly statusCode = 409;
}

/** Another invocation is sending this step right now; Step Functions retries the task. */
export class MessageInFlightError extends CollectionsError {
  public override readonly statusCode = 409;
}

/** A channel provider definitely refused a message: nothing was sent, so a retry may send. */
export class MessageRefusedError extends CollectionsError {}

/**
 * Whether a failed provider call certainly sent nothing: our own refusal error, or an AWS SDK
 * service exception of client fault (a 4xx answer such as MessageRejected or throttling). A
 * timeout, a dropped connection or a 5xx answer leaves it unknown whether the message went out.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  if (error instanceof MessageRefusedError) return true;
  return typeof error === 'object' && error !== null && (error as { $fault?: unknown }).$fault === 'client';
}

/** Credentials (HTTP Basic auth of a provider endpoint) missing or wrong. */
export class AuthenticationError extends CollectionsError {
  public override readonly statusCode = 401;
}

/** The request body is not JSON as the provider sends it. */
export class UnsupportedMediaTypeError extends CollectionsError {
  public override readonly statusCode = 415;
}
/**
 * Why a channel provider will never deliver a message to this address: retrying is pointless,
 * the act step records it and falls back to the next channel of the step.
 */
export type PermanentFailureReason =
  | 'invalid-address'
  | 'opted-out'
  | 'suppressed'
  | 'no-consent'
  | 'outside-session-window'
  | 'blocked'
  | 'unsupported-destination'
  /** WhatsApp: the template is not approved (missing, paused, disabled) or its parameters do not fit it. */
  | 'template-not-approved';

/**
 * The provider refused the message for good (invalid number, suppressed address, opted out...).
 * Nothing was sent: `isDefiniteRefusal` is true, but a retry on the same channel cannot succeed.
 */
export class PermanentDeliveryError extends MessageRefusedError {
  public constructor(
    public readonly reason: PermanentFailureReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The provider throttled the request (or a sending quota is exhausted for now). Nothing was sent,
 * so a retry with jittered backoff is safe.
 */
export class DeliveryThrottledError extends MessageRefusedError {
  public readonly retryable = true;
}

/**
 * The provider answered with a server error (5xx). Worth retrying as far as the provider is
 * concerned, but a server error does not prove that nothing went out, so this is not a definite
 * refusal: the act step records the step `uncertain` and never sends it again (at most once).
 */
export class ProviderUnavailableError extends CollectionsError {
  public readonly retryable = true;
}

/** The provider answered without the id we correlate its events with; whether it sent is unknown. */
export class ProviderResponseError extends CollectionsError {}
/** A strategy version (or routing version) exists with other content: versions are immutable. */
export class StrategyVersionConflictError extends CollectionsError {
  public override readonly statusCode = 409;
}

/** No billing provider API key is configured: billing actions (retry, write-off, cancel) are skipped. */
export class BillingNotConfiguredError extends CollectionsError {}

/**
 * A partial of a segmented rebuild is missing or incomplete (deleted, expired, or never fully
 * written): the comparison cannot be trusted, so the run fails rather than compare less.
 */
export class RebuildPartialMissingError extends CollectionsError {}
