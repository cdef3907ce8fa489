import type { Scheduler } from '../clock/scheduler.js';
import type { Failure, Message } from '../store/models.js';

const EXPIRE_JOB = 'message.expire';

/**
 * A message's validity on the clock: a message not delivered when its validity runs out fails with
 * `expired`, whether it was still queued or already sent and waiting for the customer's phone. Its
 * history says which (a `sent` step or not), for providers that report the two apart.
 */
export class MessageExpiry {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly get: (id: string) => Promise<Message | undefined>,
    private readonly fail: (id: string, failure: Failure) => Promise<void>,
  ) {
    scheduler.handle(EXPIRE_JOB, (payload) => this.expire(payload.messageId as string, payload.validityMs as number));
  }

  /** Expires the message `validityMs` of clock time after it was accepted, unless it was delivered by then. */
  schedule(message: Message, validityMs: number): void {
    this.scheduler.at(message.createdAt + validityMs, EXPIRE_JOB, { messageId: message.id, validityMs }, `${EXPIRE_JOB}:${message.id}`);
  }

  private async expire(messageId: string, validityMs: number): Promise<void> {
    const current = await this.get(messageId);
    if (current?.status !== 'queued' && current?.status !== 'sent') return;
    const stage = current.status === 'queued' ? 'still waiting to be sent' : 'sent but not delivered';
    await this.fail(messageId, { code: 'expired', reason: `${stage} when its validity of ${validityMs / 1000} s ran out` });
  }
}
