import { useMaytapi } from './use-maytapi.js';

const OWN = '905309876543';
const AYSE = '905301234567';
const MEHMET = '905301234568';
const NO_WHATSAPP = '905300000000';
const REPLIES = '905300000004';

/** The spec's contact, catalog, phone-reset and group operations, on a logged-in phone. */
describe('Maytapi groups, contacts, catalog and factory reset', () => {
  const sandbox = useMaytapi({ product: 'groups-product', key: 'groups-token', phone: OWN });

  const ok = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await sandbox.client.call(method, path, body);
    expect({ path, status: response.status, success: response.json?.success }).toEqual({ path, status: 200, success: true });
    return response.json;
  };
  const refused = async (method: 'GET' | 'POST', path: string, body: unknown, message: RegExp | string) => {
    const response = await sandbox.client.call(method, path, body);
    expect({ path, status: response.status, json: response.json }).toEqual({
      path,
      status: 400,
      json: { success: false, message: typeof message === 'string' ? message : expect.stringMatching(message) },
    });
  };

  it('creates a group and runs it: list, one group with its invite link, members, admins, settings, pictures, leaving', async () => {
    const created = await ok('POST', `/${sandbox.phoneId}/createGroup`, { name: 'Group Title', numbers: [AYSE, `${MEHMET}@c.us`, NO_WHATSAPP] });
    const gid = created.data.id as string;
    expect(created.data).toEqual({
      id: expect.stringMatching(new RegExp(`^${OWN}-\\d+@g\\.us$`)),
      name: 'Group Title',
      participants: [`${OWN}@c.us`, `${AYSE}@c.us`, `${MEHMET}@c.us`],
      admins: [`${OWN}@c.us`],
      image: '',
      config: { edit: 'all', send: 'all', disappear: false },
    });
    const second = (await ok('POST', `/${sandbox.phoneId}/createGroup`, { name: 'Another', numbers: [AYSE] })).data.id as string;

    expect(await ok('GET', `/${sandbox.phoneId}/getGroups`)).toEqual({
      success: true,
      count: 2,
      total: 2,
      limit: 100,
      page: 1,
      data: [created.data, expect.objectContaining({ id: second })],
    });
    const invites = await ok('GET', `/${sandbox.phoneId}/getGroups?invite=true&sort=true&page=1`);
    expect(invites).toMatchObject({ count: 2, limit: 50, page: 1 });
    expect(invites.data.map((g: { id: string }) => g.id)).toEqual([gid, second].sort());
    expect(invites.data.every((g: { invite?: string }) => /^https:\/\/chat\.whatsapp\.com\/[A-Za-z0-9]{22}$/.test(g.invite ?? ''))).toBe(true);
    expect((await ok('GET', `/${sandbox.phoneId}/getGroups?page=2`)).data).toEqual([]);
    expect((await ok('GET', `/${sandbox.phoneId}/getGroups/${gid}?invite=true`)).data).toEqual({
      ...created.data,
      invite: expect.stringMatching(/^https:\/\/chat\.whatsapp\.com\//),
    });

    const member = (number: string) => ({ conversation_id: gid, number: `${number}@c.us` });
    expect(await ok('POST', `/${sandbox.phoneId}/group/add`, member(REPLIES))).toEqual({ success: true });
    await refused('POST', `/${sandbox.phoneId}/group/add`, member(REPLIES), `${REPLIES} is already in the group`);
    await refused('POST', `/${sandbox.phoneId}/group/add`, member(NO_WHATSAPP), `${NO_WHATSAPP} is not on WhatsApp`);
    await ok('POST', `/${sandbox.phoneId}/group/promote`, member(AYSE));
    await ok('POST', `/${sandbox.phoneId}/group/remove`, member(MEHMET));
    await refused('POST', `/${sandbox.phoneId}/group/remove`, member(MEHMET), `${MEHMET} is not in the group`);
    expect(await ok('POST', `/${sandbox.phoneId}/group/config`, { conversation_id: gid, config: { send: 'admins', disappear: true } })).toEqual({
      success: true,
      data: { edit: 'all', send: 'admins', disappear: true },
    });
    await ok('POST', `/${sandbox.phoneId}/setProfileImage`, { conversation_id: gid, image: 'https://yourwebsite.com/picture.png' });
    await ok('POST', `/${sandbox.phoneId}/setProfileImage`, { image: 'https://yourwebsite.com/me.png' });
    expect((await ok('GET', `/${sandbox.phoneId}/getGroups/${gid}`)).data).toMatchObject({
      participants: [`${OWN}@c.us`, `${AYSE}@c.us`, `${REPLIES}@c.us`],
      admins: [`${OWN}@c.us`, `${AYSE}@c.us`],
      image: 'https://yourwebsite.com/picture.png',
      config: { send: 'admins', disappear: true },
    });

    // The phone gives up its admin rights: it can no longer change the group or write in it.
    await ok('POST', `/${sandbox.phoneId}/group/demote`, member(OWN));
    await refused('POST', `/${sandbox.phoneId}/group/add`, member(MEHMET), `This phone is not an admin of [${gid}]`);
    await refused('POST', `/${sandbox.phoneId}/sendMessage`, { to_number: gid, message: 'hello' }, `Only admins can send messages to ${gid}`);

    expect(await ok('POST', `/${sandbox.phoneId}/leaveGroup`, { id: gid })).toEqual({ success: true, data: true });
    await refused('POST', `/${sandbox.phoneId}/leaveGroup`, { id: gid }, `[${gid}] is not a group of this phone`);
    await refused('GET', `/${sandbox.phoneId}/getGroups/${gid}`, undefined, `[${gid}] is not a group of this phone`);
    await refused('POST', `/${sandbox.phoneId}/sendMessage`, { to_number: gid, message: 'hello' }, `This phone is not a participant of ${gid}`);
    expect((await ok('GET', `/${sandbox.phoneId}/getGroups`)).data.map((g: { id: string }) => g.id)).toEqual([second]);
  });

  it('refuses malformed group calls in its own format', async () => {
    await refused('POST', `/${sandbox.phoneId}/createGroup`, { name: 'x', numbers: [] }, 'numbers must be a list of at least one phone number');
    await refused('POST', `/${sandbox.phoneId}/createGroup`, { name: 'x', numbers: [NO_WHATSAPP] }, 'A group needs at least one other participant on WhatsApp');
    await refused('POST', `/${sandbox.phoneId}/createGroup`, { numbers: [AYSE] }, 'name is required and must be a non-empty string');
    await refused('POST', `/${sandbox.phoneId}/group/add`, { conversation_id: 'nope', number: AYSE }, /^conversation_id must be a group id/);
    await refused(
      'POST',
      `/${sandbox.phoneId}/group/config`,
      { conversation_id: '905301234567-1574073754@g.us', config: {} },
      'config must set at least one of edit, send or disappear',
    );
    await refused(
      'POST',
      `/${sandbox.phoneId}/group/config`,
      { conversation_id: '905301234567-1574073754@g.us', config: { edit: 'me' } },
      'config.edit must be "admins" or "all"',
    );
    await refused('POST', `/${sandbox.phoneId}/setProfileImage`, { image: 'not a link' }, 'image must be the link (http or https) of the picture');
    await refused('GET', `/${sandbox.phoneId}/getGroups?page=0`, undefined, 'page must be a whole number from 1');
    await refused('GET', `/${sandbox.phoneId}/getGroups/100%25`, undefined, /^conversation_id must be a group id/);
    await refused('GET', `/${sandbox.phoneId}/contact/100%25`, undefined, /^conversation_id must be a phone number/);
    await refused('GET', `/${sandbox.phoneId}/getGroups?full=maybe`, undefined, 'full must be true or false');
    const unknown = await sandbox.client.post(`/${sandbox.phoneId}/group/frobnicate`, { conversation_id: 'x' });
    expect({ status: unknown.status, json: unknown.json }).toEqual({ status: 404, json: { success: false, message: 'Not Found' } });
  });

  it('delivers a group message per member: two ticks once all have it, blue once all read it; members reply in the group', async () => {
    await sandbox.client.post('/setAckPreference', { ack_delivery: true });
    const gid = (await ok('POST', `/${sandbox.phoneId}/createGroup`, { name: 'Team', numbers: [AYSE, REPLIES] })).data.id as string;
    const { msgId } = (await ok('POST', `/${sandbox.phoneId}/sendMessage`, { to_number: gid, message: `Hi @${AYSE}` })).data;
    await sandbox.control.advance(120_000);
    const acks = sandbox.receiver.accepted
      .map((r) => r.json as any)
      .filter((b) => b.type === 'ack')
      .flatMap((b) => b.data)
      .filter((a: any) => a.msgId === msgId);
    expect(acks.map((a: any) => [a.ackType, a.chatId])).toEqual([
      ['delivered', gid],
      ['reached', gid],
      ['seen', gid],
    ]);
    const message = await sandbox.control.message(msgId);
    const members = ['delivered', 'read'].map((status) => message.history.find((h) => h.status === status)!.at);
    expect(Date.parse(members[1]!)).toBeGreaterThan(Date.parse(members[0]!));
    const reply = sandbox.receiver.accepted.map((r) => r.json as any).find((b) => b.type === 'message' && !b.message.fromMe);
    expect(reply).toMatchObject({
      conversation: gid,
      user: { id: `${REPLIES}@c.us`, phone: REPLIES },
      quoted: { id: `true_${gid}_${msgId}`, fromMe: true, text: `Hi @${AYSE}` },
    });
  });

  it("lists the phone's chats and tells about one number or group", async () => {
    await ok('POST', `/${sandbox.phoneId}/sendMessage`, { to_number: AYSE, message: 'hello' });
    await sandbox.control.advance(1_000);
    const gid = (await ok('POST', `/${sandbox.phoneId}/createGroup`, { name: 'Team', numbers: [MEHMET] })).data.id as string;
    await sandbox.control.inbound('maytapi', sandbox.client.productId, { from: MEHMET, text: 'hi', session: sandbox.sessionId, profileName: 'Mehmet' });
    const contacts = await ok('GET', `/${sandbox.phoneId}/contacts`);
    expect(contacts.data).toEqual([
      { id: `${MEHMET}@c.us`, name: expect.any(String), type: 'chat' },
      { id: gid, name: 'Team', type: 'group' },
      { id: `${AYSE}@c.us`, name: expect.any(String), type: 'chat' },
    ]);
    expect(await ok('GET', `/${sandbox.phoneId}/contact/${AYSE}@c.us`)).toEqual({
      success: true,
      data: [{ id: `${AYSE}@c.us`, name: contacts.data[2].name, type: 'chat', image: '' }],
    });
    expect((await ok('GET', `/${sandbox.phoneId}/contact/${gid}`)).data).toEqual([{ id: gid, name: 'Team', type: 'group', image: '' }]);
    await refused('GET', `/${sandbox.phoneId}/contact/${NO_WHATSAPP}`, undefined, `${NO_WHATSAPP} is not on WhatsApp`);
    await refused('GET', `/${sandbox.phoneId}/contact/905301234567-1574073754@g.us`, undefined, '[905301234567-1574073754@g.us] is not a group of this phone');
  });

  it('answers a customer\'s "product" the way the public example bot does: catalog, then a product message', async () => {
    // The bot: on an incoming "product", list the catalog and send its first product back.
    await sandbox.control.inbound('maytapi', sandbox.client.productId, { from: AYSE, text: 'product', session: sandbox.sessionId });
    const incoming = sandbox.receiver.accepted.map((r) => r.json as any).find((b) => b.type === 'message' && b.message.text === 'product');
    const catalog = await sandbox.client.get(`/${incoming.phone_id}/catalog`);
    expect(catalog.status).toBe(200);
    expect(catalog.json.data[0]).toEqual({
      type: 'product',
      productId: '2878114402238236',
      image: expect.stringMatching(/^https:\/\//),
      url: expect.stringMatching(/^https:\/\//),
      price: 30,
      price1000: 30_000,
      title: 'Product Name',
      description: 'Product Description',
      retailerId: 'Product Retailer Id',
      business: `${OWN}@c.us`,
      currency: 'TRY',
      id: '2878114402238236',
    });
    const sent = await sandbox.client.post(`/${incoming.phone_id}/sendMessage`, {
      to_number: incoming.user.phone,
      type: 'product',
      productId: catalog.json.data[0].productId,
    });
    expect(sent.json).toMatchObject({ success: true, data: { chatId: `${AYSE}@c.us` } });
    expect(await sandbox.control.message(sent.json.data.msgId)).toMatchObject({ kind: 'other', text: 'Product Name' });
    await refused(
      'POST',
      `/${sandbox.phoneId}/sendMessage`,
      { to_number: AYSE, type: 'product', productId: '1' },
      "Product 1 is not in this phone's catalog (see /catalog)",
    );

    // The control API sets the phone's own catalog, and DELETE brings back the fixture's.
    const mug = {
      productId: '77',
      title: 'Mug',
      description: 'Blue',
      price: 12.5,
      currency: 'EUR',
      image: 'https://example.com/mug.png',
      url: 'https://example.com/mug',
      retailerId: 'MUG',
    };
    expect(await sandbox.control.request('PUT', `/sessions/${sandbox.sessionId}/catalog`, { products: [mug] })).toEqual({ products: [mug] });
    expect((await sandbox.client.get(`/${sandbox.phoneId}/catalog`)).json.data).toEqual([
      expect.objectContaining({ productId: '77', price: 12.5, price1000: 12_500 }),
    ]);
    const bad = await fetch(`${sandbox.control.url}/sessions/${sandbox.sessionId}/catalog`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ products: [mug, mug] }),
    });
    expect(bad.status).toBe(400);
    await sandbox.control.request('DELETE', `/sessions/${sandbox.sessionId}/catalog`);
    expect((await sandbox.client.get(`/${sandbox.phoneId}/catalog`)).json.data).toHaveLength(2);
  });

  it('factoryreset and the deprecated delete bring the phone back to a new one: loading, then the QR screen, settings and groups gone', async () => {
    await sandbox.client.post(`/${sandbox.phoneId}/config`, { webhook: sandbox.receiver.url, ack_delivery: true });
    await ok('POST', `/${sandbox.phoneId}/createGroup`, { name: 'Team', numbers: [AYSE] });
    const backup = (await sandbox.client.get(`/${sandbox.phoneId}/backup`)).json.data;
    expect(await ok('GET', `/${sandbox.phoneId}/factoryreset`)).toEqual({ success: true });
    expect((await sandbox.client.get('/listPhones')).json).toEqual([{ id: sandbox.phoneId, number: null, status: 'loading' }]);
    await sandbox.control.advance(3_000);
    expect((await sandbox.client.get('/listPhones')).json).toEqual([{ id: sandbox.phoneId, number: null, status: 'qr-code' }]);
    expect((await sandbox.client.get(`/${sandbox.phoneId}/config`)).json).toEqual({ success: true, status: { webhook: null, ack_delivery: false } });
    await refused('POST', `/${sandbox.phoneId}/restore`, backup, 'The backup data is not valid anymore: the phone logged out after it was taken');
    await sandbox.control.scan(sandbox.sessionId, OWN);
    await sandbox.control.advance(5_000);
    expect((await ok('GET', `/${sandbox.phoneId}/getGroups`)).data).toEqual([]);

    expect(await ok('GET', `/${sandbox.phoneId}/delete`)).toEqual({
      success: true,
      type: 'deleted',
      pid: sandbox.client.productId,
      phone_id: String(sandbox.phoneId),
    });
    expect((await sandbox.client.get('/listPhones')).json).toEqual([{ id: sandbox.phoneId, number: null, status: 'loading' }]);
    await refused('GET', `/${sandbox.phoneId}/catalog`, undefined, `Phone ${sandbox.phoneId} is not logged in (status: loading): wait until it has loaded`);
  });
});
