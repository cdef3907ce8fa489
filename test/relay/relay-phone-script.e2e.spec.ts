import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../apps/sandbox/src/paths.js';
import { send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

const SCRIPT = join(projectRoot(), 'scripts', 'relay-phone.sh');
const CUSTOMER = '79001234567';
const hasCurl = spawnSync('curl', ['--version']).status === 0;
const run = promisify(execFile);

/** scripts/relay-phone.sh follows the README's steps with curl: it must work as the phone. */
(hasCurl ? describe : describe.skip)('scripts/relay-phone.sh, the README’s steps with curl', () => {
  const sandbox = useSandbox({ provider: 'wamm', receiver: true });

  it('polls, sends and posts the result, then forwards a notification, as a phone does', async () => {
    const phone = (await (
      await fetch(`${sandbox.origin}/__sandbox/relay/devices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as { id: string; token: string };
    await sandbox.control.request('POST', '/accounts/wamm/scripted/link', { via: 'relay', device: phone.id });
    await sandbox.control.setWebhook('wamm', 'scripted', sandbox.receiver.url);
    const phoneScript = (...args: string[]) => run('sh', [SCRIPT, sandbox.origin, phone.token, ...args]);

    expect((await phoneScript()).stdout).toBe('nothing to send\n');
    const { msg_id: id } = (await send(`${sandbox.base}/api2/msg_to/scripted/?${new URLSearchParams({ phone: CUSTOMER, text: 'from the script' })}`)).json as {
      msg_id: number;
    };
    await sandbox.control.advance(20_000);
    expect((await phoneScript()).stdout).toBe(`message ${id} to ${CUSTOMER}: result 1\n`);
    expect(await sandbox.control.message(String(id))).toMatchObject({ status: 'sent' });

    expect(JSON.parse((await phoneScript('--notify', `+${CUSTOMER}`, 'a reply, with "quotes" & an ampersand')).stdout)).toEqual({ ok: true, accepted: true });
    await sandbox.control.advance(5_000);
    const rows = sandbox.receiver.accepted.map((request) => request.json as { tip: string; msg_data: { from_me: string; msg_text: string } });
    expect(rows.filter((hook) => hook.tip === 'msg' && hook.msg_data.from_me === '0').map((hook) => hook.msg_data.msg_text)).toEqual([
      'a reply, with "quotes" & an ampersand',
    ]);
  });

  it('fails when the sandbox refuses the token', async () => {
    await expect(run('sh', [SCRIPT, sandbox.origin, 'not-a-token'])).rejects.toMatchObject({ code: 22 });
  });
});
