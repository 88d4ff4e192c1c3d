import type { ChannelSenders, OutboundChannelMessage } from '../../shared/ports.ts';

/** Channel senders that record what they accepted; `refuseNext` makes the next call throw `error`. */
export class RecordingChannelSenders {
  public readonly accepted: OutboundChannelMessage[] = [];
  private refusal: unknown;

  public refuseNext(error: unknown): void {
    this.refusal = error;
  }

  public readonly senders: ChannelSenders = {
    sms: { send: (message) => this.accept(message) },
    voice: { send: (message) => this.accept(message) },
    whatsapp: { send: (message) => this.accept(message) },
    email: { send: (message) => this.accept(message) },
  };

  private async accept(message: OutboundChannelMessage): Promise<{ providerMessageId: string }> {
    const refusal = this.refusal;
    if (refusal !== undefined) {
      this.refusal = undefined;
      throw refusal;
    }
    this.accepted.push(message);
    return { providerMessageId: `msg-${this.accepted.length}` };
  }
}
