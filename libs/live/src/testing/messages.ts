import type { Account, Message } from '#engine';

/** An outbound engine message as the send queue hands it to the transport. */
export function outbound(id: string, fields: Partial<Message> = {}): Message {
  return {
    id,
    accountId: 'maytapi:product',
    lineId: 's1',
    kind: 'text',
    direction: 'outbound',
    peer: '905551112233',
    from: '905550000001',
    to: '905551112233',
    text: '',
    mediaUrl: null,
    media: null,
    location: null,
    contacts: null,
    failAtDispatch: null,
    status: 'queued',
    failure: null,
    createdAt: 0,
    sendAt: null,
    history: [{ status: 'queued', at: 0 }],
    profileName: null,
    providerData: null,
    ...fields,
  };
}

export const testAccount: Account = {
  id: 'maytapi:product',
  provider: 'maytapi',
  key: 'product',
  createdAt: 0,
  linePhone: '905550000000',
  features: {},
  webhookUrl: null,
  limits: { dailyMessages: null, perSecond: null, balance: null },
  settings: {},
};
