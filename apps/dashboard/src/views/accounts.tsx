import { useState } from 'preact/hooks';
import { accountPath, api, type Account, type Session } from '../api';
import { phone } from '../format';
import { useResource } from '../live';
import { href } from '../router';

interface AccountRow {
  account: Account;
  sessions: Session[];
}

/** Every account, by provider: line number, webhook url (editable), limits and sessions. */
export function AccountsView({ providers }: { providers: string[] }) {
  const rows = useResource(
    async () => {
      const accounts = await api<Account[]>('GET', '/accounts');
      return Promise.all(
        accounts.map(async (account) => ({ account, sessions: await api<Session[]>('GET', `${accountPath(account.provider, account.key)}/sessions`) })),
      );
    },
    [],
    // A provider call or a customer's message may have made an account.
    (event) => event.type === 'session' || event.type === 'request' || event.type === 'message',
  );
  const [provider, setProvider] = useState('');
  const [key, setKey] = useState('');
  const byProvider = new Map<string, AccountRow[]>();
  for (const row of rows.data ?? []) byProvider.set(row.account.provider, [...(byProvider.get(row.account.provider) ?? []), row]);

  return (
    <section>
      <div class="heading">
        <h1>Accounts</h1>
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            // The control API makes an account on first use, as a provider call does.
            if (provider && key) window.location.hash = href('chat', provider, key);
          }}
        >
          <select aria-label="provider" value={provider} onChange={(event) => setProvider(event.currentTarget.value)}>
            <option value="">provider…</option>
            {providers.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <input aria-label="account key" placeholder="api key / product id" value={key} onInput={(event) => setKey(event.currentTarget.value)} />
          <button type="submit">Open account</button>
        </form>
      </div>
      {rows.error && <p class="error">{rows.error}</p>}
      {rows.data?.length === 0 && <p class="empty">No accounts yet: a provider call with any key makes one (or open one above).</p>}
      {[...byProvider].map(([name, accounts]) => (
        <div class="card" key={name}>
          <h2>{name}</h2>
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Line number</th>
                <th>Webhook URL</th>
                <th>Limits</th>
                <th>Sessions</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map(({ account, sessions }) => (
                <tr key={account.key}>
                  <td>
                    <a href={href('chat', account.provider, account.key)}>{account.key}</a>
                  </td>
                  <td>{phone(account.linePhone)}</td>
                  <td>
                    <WebhookUrl account={account} onSaved={rows.reload} />
                  </td>
                  <td class="small">
                    {account.limits.dailyMessages ?? '∞'}/day · {account.limits.perSecond ?? '∞'}/s
                    {account.limits.balance !== null && ` · balance ${account.limits.balance}`}
                  </td>
                  <td>
                    {sessions.length === 0 && <span class="muted">—</span>}
                    {sessions.map((session) => (
                      <span key={session.id} class={`badge state-${session.state}`} title={session.id}>
                        {session.label}: {session.state}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

export function WebhookUrl({ account, onSaved }: { account: Account; onSaved: () => void }) {
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  if (editing === undefined) {
    return (
      <span class="webhook-url">
        <code>{account.webhookUrl ?? 'none'}</code>{' '}
        <button type="button" class="link" onClick={() => setEditing(account.webhookUrl ?? '')}>
          edit
        </button>
      </span>
    );
  }
  return (
    <form
      class="inline"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          await api('PUT', `${accountPath(account.provider, account.key)}/webhook`, { url: editing.trim() === '' ? null : editing.trim() });
          setEditing(undefined);
          setError(undefined);
          onSaved();
        } catch (problem) {
          setError((problem as Error).message);
        }
      }}
    >
      <input aria-label="webhook url" placeholder="http://… (empty removes it)" value={editing} onInput={(event) => setEditing(event.currentTarget.value)} />
      <button type="submit">Save</button>
      <button type="button" class="link" onClick={() => setEditing(undefined)}>
        cancel
      </button>
      {error && <span class="error">{error}</span>}
    </form>
  );
}
