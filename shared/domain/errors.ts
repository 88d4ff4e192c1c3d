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

/** A strategy version (or routing version) exists with other content: versions are immutable. */
export class StrategyVersionConflictError extends CollectionsError {
  public override readonly statusCode = 409;
}

/** No billing provider API key is configured: billing actions (retry, write-off, cancel) are skipped. */
export class BillingNotConfiguredError extends CollectionsError {}
