import { PermanentDeliveryError } from '../../domain/errors.ts';
import type { ChannelSender, OutboundChannelMessage } from '../../ports.ts';

/**
 * The sender of a channel a function has no adapter for: every message is refused for good
 * (`unsupported-destination`, saying `why`), so nothing retries it on that channel and a journey
 * step falls back to the next channel.
 */
export function unavailableChannelSender<M extends OutboundChannelMessage>(why: string): ChannelSender<M> {
  return {
    send: async () => {
      throw new PermanentDeliveryError('unsupported-destination', why);
    },
  };
}
