import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type SandboxConfig } from '../../apps/sandbox/src/config.js';
import { hostMatcher } from '../../apps/sandbox/src/engine.module.js';

const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => loadConfig(argv, env) as SandboxConfig;

describe('sandbox configuration', () => {
  it('has sensible defaults', () => {
    expect(load([])).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      clockMode: 'real',
      clockSpeed: 1,
      seed: 1,
      strictAccounts: undefined,
      publicUrl: 'http://localhost:4000',
      transport: 'simulated',
    });
  });

  it('reads environment variables, and flags win over them', () => {
    expect(load([], { PORT: '5000', HOST: '0.0.0.0', CLOCK: 'manual', CLOCK_SPEED: '60' })).toMatchObject({
      port: 5000,
      host: '0.0.0.0',
      clockMode: 'manual',
      clockSpeed: 60,
    });
    expect(load(['--port', '6000', '--clock', 'real'], { PORT: '5000', CLOCK: 'manual' })).toMatchObject({ port: 6000, clockMode: 'real' });
    expect(load(['--start', '2026-01-01T09:00:00Z']).clockStart).toBe(Date.UTC(2026, 0, 1, 9));
    expect(load([], { TRANSPORT: 'live' }).transport).toBe('live');
    expect(load(['--transport', 'simulated'], { TRANSPORT: 'live' }).transport).toBe('simulated');
  });

  it.each([
    [['--port', 'abc'], {}, 'invalid --port "abc": expected an integer from 0 to 65535'],
    [[], { PORT: '70000' }, 'invalid environment variable PORT "70000": expected an integer from 0 to 65535'],
    [['--clock', 'fast'], {}, 'invalid --clock "fast": expected "real" or "manual"'],
    [[], { CLOCK_SPEED: '0' }, 'invalid environment variable CLOCK_SPEED "0": expected a number above 0'],
    [['--start', 'yesterday'], {}, 'invalid --start "yesterday": expected an ISO date'],
    [['--seed=-1'], {}, 'invalid --seed "-1": expected an integer'],
    [['--public-url', 'localhost:4000'], {}, 'invalid --public-url "localhost:4000": expected an http(s) URL'],
    [['--bogus'], {}, "Unknown option '--bogus'"],
    [['--accounts', '/nonexistent/accounts.json'], {}, 'cannot read accounts file /nonexistent/accounts.json'],
    [['--media-max-bytes', '1GB'], {}, 'invalid --media-max-bytes "1GB": expected an integer'],
    [[], { MEDIA_FETCHES: '0' }, 'invalid environment variable MEDIA_FETCHES "0": expected an integer from 1 to 1000'],
    [['--media-hosts', 'a b'], {}, 'invalid --media-hosts "a b": expected host names or patterns'],
    [['--store', 'postgres'], {}, 'invalid --store "postgres": expected "memory", "sqlite:<file>" or "postgres://…"'],
    [[], { STORE: 'sqlite:' }, 'invalid environment variable STORE "sqlite:": expected "memory", "sqlite:<file>" or "postgres://…"'],
    [['--control-token', 'two words'], {}, 'invalid --control-token "two words": expected visible ASCII characters without spaces'],
    [['--transport', 'baileys'], {}, 'invalid --transport "baileys": expected "simulated" or "live"'],
  ])('refuses %j %j with a clear message', (argv, env, message) => {
    expect(() => loadConfig(argv as string[], env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(argv as string[], env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('loads strict accounts and checks their shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        accounts: [
          { provider: 'wamessenger', key: 'K1' },
          { provider: 'wamessenger', key: 'K2', linePhone: '989350000777' },
        ],
      }),
    );
    expect(load(['--accounts', good]).strictAccounts).toEqual([
      { provider: 'wamessenger', key: 'K1' },
      { provider: 'wamessenger', key: 'K2', linePhone: '989350000777' },
    ]);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ accounts: [{ provider: 'wamessenger' }] }));
    expect(() => load(['--accounts', bad])).toThrow('accounts[0] needs string "provider" and "key"');
  });

  it('bounds media by default and reads its options', () => {
    expect(load(['--store', 'memory'])).toMatchObject({
      mediaDir: undefined,
      mediaMaxBytes: 1024 ** 3,
      mediaMaxAgeSeconds: 172_800,
      mediaFetches: 4,
      mediaHosts: undefined,
    });
    expect(
      load(['--media-dir', '/var/media', '--media-max-bytes', '5000', '--media-fetches', '2'], {
        MEDIA_MAX_AGE_SECONDS: '60',
        MEDIA_HOSTS: 'Media.example.com, *.cdn.test',
      }),
    ).toMatchObject({
      mediaDir: '/var/media',
      mediaMaxBytes: 5000,
      mediaMaxAgeSeconds: 60,
      mediaFetches: 2,
      mediaHosts: ['media.example.com', '*.cdn.test'],
    });
  });

  it('keeps the store and media in the data directory by default, and takes another store or directory', () => {
    expect(load([])).toMatchObject({ store: { kind: 'sqlite', file: resolve('.wa-sandbox/sandbox.db') }, mediaDir: resolve('.wa-sandbox/media') });
    expect(load(['--data-dir', '/srv/wa'])).toMatchObject({ store: { kind: 'sqlite', file: '/srv/wa/sandbox.db' }, mediaDir: '/srv/wa/media' });
    expect(load([], { DATA_DIR: '/srv/wa', STORE: 'sqlite:/tmp/other.db' })).toMatchObject({
      store: { kind: 'sqlite', file: '/tmp/other.db' },
      mediaDir: '/srv/wa/media',
    });
    expect(load(['--store', 'sqlite:data/x.db', '--media-dir', '/var/media'])).toMatchObject({
      store: { kind: 'sqlite', file: resolve('data/x.db') },
      mediaDir: '/var/media',
    });
    expect(load(['--store', 'memory'], { DATA_DIR: '/srv/wa' })).toMatchObject({ store: { kind: 'memory' }, mediaDir: undefined });
    // Instances sharing a database share the media directory too: the data directory's by default.
    expect(load([], { DATA_DIR: '/srv/wa', STORE: 'postgres://sandbox@db/wa' })).toMatchObject({
      store: { kind: 'postgres', url: 'postgres://sandbox@db/wa' },
      mediaDir: '/srv/wa/media',
    });
  });

  it('matches media hosts by name, * standing for one or more labels', () => {
    const allowed = hostMatcher(['media.example.com', '*.cdn.test', '127.0.0.1']);
    expect(['media.example.com', 'MEDIA.example.com', 'a.cdn.test', 'a.b.cdn.test', '127.0.0.1'].filter(allowed)).toHaveLength(5);
    expect(['example.com', 'cdn.test', 'evilcdn.test', 'media.example.com.evil', '127.0.0.10'].filter(allowed)).toEqual([]);
  });

  it('takes a control token from --control-token or CONTROL_TOKEN, and has none by default', () => {
    expect(load([]).controlToken).toBeUndefined();
    expect(load([], { CONTROL_TOKEN: 's3cret' }).controlToken).toBe('s3cret');
    expect(load(['--control-token', 'from-flag'], { CONTROL_TOKEN: 's3cret' }).controlToken).toBe('from-flag');
  });

  it('answers --help', () => {
    expect(loadConfig(['--help'], {})).toBe('help');
  });
});
