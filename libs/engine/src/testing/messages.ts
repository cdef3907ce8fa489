import type { Message } from '../store/models.js';

/** A stored outbound message for store tests: `m<n>`, created at 1,000 + n, with text that is not plain ASCII. */
export function testMessage(n: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `m${n}`,
    accountId: 'wamm:a',
    lineId: 'wamm:a',
    kind: 'text',
    direction: 'outbound',
    peer: '79001234567',
    from: '79990000001',
    to: '79001234567',
    text: `hello ${n} «ünïcode» 👋`,
    mediaUrl: null,
    media: null,
    location: null,
    contacts: null,
    failAtDispatch: null,
    status: 'queued',
    failure: null,
    createdAt: 1_000 + n,
    sendAt: null,
    history: [{ status: 'queued', at: 1_000 + n }],
    profileName: null,
    providerData: { callbackData: 'x' },
    ...overrides,
  };
}
