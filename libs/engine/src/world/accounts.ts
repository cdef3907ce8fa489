import type { EngineClock } from '../clock/clock.js';
import { hashString } from '../random.js';
import type { Account, AccountLimits, FeatureSwitch } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import type { ProviderProfile } from './provider-profile.js';
import type { StateSlot } from './provider-state.js';

export interface AccountSeed {
  provider: string;
  key: string;
  linePhone?: string;
  settings?: Record<string, unknown>;
}

export type AccountLookup = { ok: true; account: Account } | { ok: false; reason: string };

/** Keys with this prefix are always refused: the documented way to reach a provider's invalid-key path. */
export const INVALID_KEY_PREFIX = 'invalid';

export interface AccountServiceOptions {
  /** Strict mode: only these accounts exist. Otherwise any key works on first use. */
  strictAccounts?: AccountSeed[];
  seed: number;
}

/**
 * No account has a key holding NUL (`%00` in a URL), and none is looked up: PostgreSQL's text cannot hold
 * the character, and the lookup failed there with a 500 where every other store answered the provider's
 * refusal of an unknown key.
 */
const NUL = '\u0000';

export class AccountService {
  private readonly strict: Map<string, AccountSeed> | null;

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly profiles: Map<string, ProviderProfile>,
    private readonly options: AccountServiceOptions,
  ) {
    this.strict = options.strictAccounts ? new Map(options.strictAccounts.map((seed) => [accountId(seed.provider, seed.key), seed])) : null;
  }

  /** Finds the account behind a provider credential, creating it on first use unless in strict mode. */
  async resolve(provider: string, key: string): Promise<AccountLookup> {
    const existing = await this.stored(provider, key);
    if (existing) return { ok: true, account: existing };
    return this.admit(provider, key, {});
  }

  /** The account behind a credential if it exists; never creates one. */
  async find(provider: string, key: string): Promise<Account | undefined> {
    return this.stored(provider, key);
  }

  /**
   * Creates an account explicitly (a provider's sign-up); refused when the key is taken, invalid, or
   * not allowed in strict mode.
   */
  async register(provider: string, key: string, settings: Record<string, unknown> = {}): Promise<AccountLookup> {
    if (await this.stored(provider, key)) return { ok: false, reason: 'the account already exists' };
    return this.admit(provider, key, settings);
  }

  async get(id: string): Promise<Account | undefined> {
    return this.store.accounts.get(id);
  }

  async list(): Promise<Account[]> {
    return this.store.accounts.list();
  }

  async setWebhookUrl(account: Account, url: string | null): Promise<Account> {
    const updated = { ...account, webhookUrl: url };
    await this.store.accounts.save(updated);
    return updated;
  }

  /** Switches a feature; with a delay the change takes effect that much clock time later. */
  async setFeature(account: Account, name: string, enabled: boolean, delayMs = 0): Promise<Account> {
    const now = this.clock.now();
    const current = effectiveSwitch(account.features[name], now);
    const next: FeatureSwitch = delayMs > 0 ? { enabled: current.enabled, pending: { enabled, effectiveAt: now + delayMs } } : { enabled };
    const updated = { ...account, features: { ...account.features, [name]: next } };
    await this.store.accounts.save(updated);
    return updated;
  }

  async setLimits(account: Account, limits: Partial<AccountLimits>): Promise<Account> {
    const updated = { ...account, limits: { ...account.limits, ...limits } };
    await this.store.accounts.save(updated);
    return updated;
  }

  /** Merges provider-owned settings into the account. */
  async updateSettings(account: Account, settings: Record<string, unknown>): Promise<Account> {
    const updated = { ...account, settings: { ...account.settings, ...settings } };
    await this.store.accounts.save(updated);
    return updated;
  }

  /** Merges part of the provider's state into the account. */
  async updateState<T extends object>(account: Account, slot: StateSlot<T>, patch: Partial<T>): Promise<Account> {
    return this.updateSettings(account, slot.write(patch));
  }

  isEnabled(account: Account, name: string): boolean {
    return effectiveSwitch(account.features[name], this.clock.now()).enabled;
  }

  /** The features as they stand now, for display. */
  effectiveFeatures(account: Account): Record<string, boolean> {
    const now = this.clock.now();
    return Object.fromEntries(Object.keys(account.features).map((name) => [name, effectiveSwitch(account.features[name], now).enabled]));
  }

  /** Creates a new account if the key may have one. */
  /** The account stored under the credential; a key no account may have is not looked up. */
  private async stored(provider: string, key: string): Promise<Account | undefined> {
    return key.includes(NUL) ? undefined : this.store.accounts.get(accountId(provider, key));
  }

  private async admit(provider: string, key: string, settings: Record<string, unknown>): Promise<AccountLookup> {
    if (!key) return { ok: false, reason: 'empty api key' };
    if (key.includes(NUL)) return { ok: false, reason: 'an api key cannot hold a NUL character' };
    if (key.toLowerCase().startsWith(INVALID_KEY_PREFIX)) {
      return { ok: false, reason: `keys starting with "${INVALID_KEY_PREFIX}" are always refused` };
    }
    const seed = this.strict ? this.strict.get(accountId(provider, key)) : { provider, key };
    if (!seed) return { ok: false, reason: 'unknown api key (the sandbox runs in strict accounts mode)' };
    const account = this.create({ ...seed, settings: { ...seed.settings, ...settings } });
    await this.store.accounts.save(account);
    return { ok: true, account };
  }

  private create(seed: AccountSeed): Account {
    const profile = this.profiles.get(seed.provider);
    if (!profile) throw new Error(`no provider profile registered for ${seed.provider}`);
    const features = Object.fromEntries(Object.entries(profile.featureDefaults).map(([name, enabled]) => [name, { enabled }]));
    return {
      id: accountId(seed.provider, seed.key),
      provider: seed.provider,
      key: seed.key,
      createdAt: this.clock.now(),
      linePhone: seed.linePhone ?? makeLinePhone(profile.lineCountryCode, seed.key, this.options.seed),
      features,
      webhookUrl: null,
      limits: { dailyMessages: null, perSecond: null, balance: null, ...profile.limits },
      settings: { ...seed.settings },
    };
  }
}

export function accountId(provider: string, key: string): string {
  return `${provider}:${key}`;
}

export function parseAccountId(id: string): { provider: string; key: string } {
  const colon = id.indexOf(':');
  return { provider: id.slice(0, colon), key: id.slice(colon + 1) };
}

/** A delayed switch is applied lazily: the clock decides whether its time has come. */
function effectiveSwitch(feature: FeatureSwitch | undefined, now: number): { enabled: boolean } {
  if (!feature) return { enabled: false };
  if (feature.pending && now >= feature.pending.effectiveAt) return { enabled: feature.pending.enabled };
  return { enabled: feature.enabled };
}

/** A stable, plausible mobile number for the account's line, never one of the magic numbers. */
export function makeLinePhone(countryCode: string, key: string, seed: number): string {
  const digits = String(hashString(key, seed)).padStart(9, '0').slice(-9);
  const national = `9${digits}`;
  // The last six digits pick a magic behaviour; a line number must never be one.
  return `${countryCode}${/00000[0-9]$/.test(national) ? `${national.slice(0, 4)}777777` : national}`;
}
