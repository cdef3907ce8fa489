import type { Account, Message } from '../store/models.js';
import type { EngineStore } from '../store/store.js';

/** What makes two outbound messages the same: their text and their media link. */
export interface MessageContent {
  text: string;
  mediaUrl: string | null;
}

/**
 * The earlier message a new one repeats: same account, same recipient, same content, accepted within
 * the window and not failed (a retry after a failure is not a duplicate). Empty content never repeats.
 */
export async function findDuplicate(store: EngineStore, account: Account, peer: string, content: MessageContent, since: number): Promise<Message | undefined> {
  if (content.text === '' && !content.mediaUrl) return undefined;
  const recent = await store.messages.listSince(account.id, 'outbound', since);
  return recent.find(
    (earlier) =>
      earlier.peer === peer &&
      earlier.text === content.text &&
      earlier.mediaUrl === content.mediaUrl &&
      earlier.status !== 'failed' &&
      earlier.failAtDispatch === null,
  );
}
