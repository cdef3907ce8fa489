import type { Account, Failure, MessageKind } from '../store/models.js';
import type { AccountService } from '../world/accounts.js';

/**
 * A prepaid account: each message of a billed kind costs one unit of `limits.balance` as it leaves; with
 * nothing left it fails with `insufficient_funds`. Unmetered accounts (balance null) are never charged.
 */
export async function charge(accounts: AccountService, account: Account, kind: MessageKind, billedKinds: MessageKind[] | undefined): Promise<Failure | null> {
  const { balance } = account.limits;
  if (balance === null || (billedKinds && !billedKinds.includes(kind))) return null;
  if (balance <= 0) return { code: 'insufficient_funds', reason: 'the account balance is spent' };
  await accounts.setLimits(account, { balance: balance - 1 });
  return null;
}
