import type { EngineClock } from '../clock/clock.js';
import type { Failure, Message } from '../store/models.js';

/**
 * A message's validity on the clock: a message not delivered when its validity runs out fails with
 * `expired`, whether it was still queued or already sent and waiting for the customer's phone. Its
 * history says which (a `sent` step or not), for providers that report the two apart.
 */
export class MessageExpiry {
  constructor(
    private readonly clock: EngineClock,
    private readonly get: (id: string) => Promise<Message | undefined>,
    private readonly fail: (id: string, failure: Failure) => Promise<void>,
  ) {}

  /** Expires the message `validityMs` of clock time after it was accepted, unless it was delivered by then. */
  schedule(message: Message, validityMs: number): void {
    this.clock.scheduleAt(message.createdAt + validityMs, async () => {
      const current = await this.get(message.id);
      if (current?.status !== 'queued' && current?.status !== 'sent') return;
      const stage = current.status === 'queued' ? 'still waiting to be sent' : 'sent but not delivered';
      await this.fail(message.id, { code: 'expired', reason: `${stage} when its validity of ${validityMs / 1000} s ran out` });
    }, `expire ${message.id}`);
  }
}
