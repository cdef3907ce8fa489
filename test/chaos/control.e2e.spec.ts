import { useSandbox } from '../support/sandbox.js';
import { chaosControl } from './chaos-control.js';

/** The chaos routes of the control API: what the dashboard lists, adds and removes. */
describe('chaos: control API', () => {
  const sandbox = useSandbox();
  const chaos = chaosControl(sandbox);

  it('lists the seed and the rules, oldest first; a rule echoes its input with id, hits, remaining and createdAt', async () => {
    expect(await chaos.list()).toEqual({ seed: 7, rules: [] });
    const input = { kind: 'api', provider: 'wamm', account: 'T', route: 'GET /wamm/api2/*', share: 0.5, next: 3, fault: { type: 'error', status: 502 } };
    const added = await chaos.add(input);
    expect(added).toEqual({ ...input, id: 'c1', hits: 0, remaining: 3, createdAt: '2026-01-01T09:00:00.000Z', seen: 0 });
    const second = await chaos.add({ kind: 'webhook', fault: { type: 'drop' } });
    expect(second).toMatchObject({ id: 'c2', share: 1, remaining: null });
    expect((await chaos.list()).rules.map((rule) => rule.id)).toEqual(['c1', 'c2']);
  });

  it('refuses a bad rule with 400 in the control API’s error style', async () => {
    expect(await chaos.post({ kind: 'api', fault: { type: 'error', status: 418 } })).toEqual({
      status: 400,
      body: { error: 'status must be 500, 502 or 503' },
    });
    expect(await chaos.post({ kind: 'delivery', provider: 'wamessenger', fault: { type: 'fail', code: '2005' } })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining("code must be one of the engine's failure codes") },
    });
    expect((await chaos.list()).rules).toEqual([]);
  });

  it('removes one rule (204; 404 when unknown) or all (204)', async () => {
    const first = await chaos.add({ kind: 'webhook', fault: { type: 'drop' } });
    await chaos.add({ kind: 'webhook', fault: { type: 'reorder' } });
    expect(await chaos.remove(first.id)).toBe(204);
    expect(await chaos.remove(first.id)).toBe(404);
    expect((await chaos.list()).rules.map((rule) => rule.fault.type)).toEqual(['reorder']);
    expect(await chaos.remove()).toBe(204);
    expect((await chaos.list()).rules).toEqual([]);
  });

  it('is forgotten by the sandbox’s reset, ids starting over', async () => {
    await chaos.add({ kind: 'webhook', fault: { type: 'drop' } });
    await sandbox.control.reset();
    expect((await chaos.list()).rules).toEqual([]);
    expect((await chaos.add({ kind: 'webhook', fault: { type: 'drop' } })).id).toBe('c1');
  });
});
