import type { Clock, EmailSender, JourneyStarter, OutboundEmail } from '../../shared/ports.ts';

/** A clock the test sets and advances; the local runtime's virtual clock behaves the same way. */
export class TestClock implements Clock {
  private current: Date;

  public constructor(iso: string) {
    this.current = new Date(iso);
  }

  public now(): Date {
    return new Date(this.current.getTime());
  }

  public set(iso: string): void {
    this.current = new Date(iso);
  }

  public advance(by: { readonly days?: number; readonly hours?: number; readonly seconds?: number }): void {
    const millis = ((by.days ?? 0) * 86_400 + (by.hours ?? 0) * 3_600 + (by.seconds ?? 0)) * 1_000;
    this.current = new Date(this.current.getTime() + millis);
  }
}

/** Records every journey start, as Step Functions would receive them (idempotency is its job). */
export class RecordingJourneyStarter implements JourneyStarter {
  public readonly startedCaseIds: string[] = [];
  /** Every start with its run (1 for a case's first journey). */
  public readonly starts: { readonly caseId: string; readonly run: number }[] = [];
  private failures = 0;

  /** Makes the next `count` starts fail as a throttled StartExecution would (nothing started). */
  public failNext(count = 1): void {
    this.failures = count;
  }

  public async startJourney(caseId: string, run = 1): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('ThrottlingException: Rate exceeded');
    }
    this.startedCaseIds.push(caseId);
    this.starts.push({ caseId, run });
  }
}

/**
 * An email provider that records what it accepted. `refuseNext` makes the next call fail the way
 * SES refuses a message (nothing accepted); `loseNextResponse` makes the provider accept the next
 * message and the caller see an error anyway (a timeout after the request reached the provider).
 */
export class RecordingEmailSender implements EmailSender {
  public readonly accepted: OutboundEmail[] = [];
  public attempts = 0;
  private refusal: Error | undefined;
  private lostResponse: Error | undefined;

  public refuseNext(error: Error): void {
    this.refusal = error;
  }

  public loseNextResponse(error: Error): void {
    this.lostResponse = error;
  }

  public async send(email: OutboundEmail): Promise<{ providerMessageId: string }> {
    this.attempts += 1;
    const refusal = this.refusal;
    if (refusal !== undefined) {
      this.refusal = undefined;
      throw refusal;
    }
    this.accepted.push(email);
    const lostResponse = this.lostResponse;
    if (lostResponse !== undefined) {
      this.lostResponse = undefined;
      throw lostResponse;
    }
    const sequence = String(this.accepted.length).padStart(6, '0');
    return { providerMessageId: `0100019a6f3c2b1e-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d${sequence}-000000` };
  }
}

/** An Error named like an AWS SDK service exception, as the SDK deserialises it. */
export function awsServiceError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
