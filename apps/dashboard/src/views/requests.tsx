import { useState } from 'preact/hooks';
import { api, type RequestRecord } from '../api';
import { dateTime } from '../format';
import { useResource } from '../live';
import { ChaosBadge } from './journal-parts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The provider calls the sandbox received, newest first, filtered by provider, method and path. */
export function RequestsView({ providers }: { providers: string[] }) {
  const [provider, setProvider] = useState('');
  const [method, setMethod] = useState('');
  const [path, setPath] = useState('');
  const query = new URLSearchParams({ ...(provider ? { provider } : {}), ...(method ? { method } : {}) }).toString();
  const journal = useResource(
    () => api<{ requests: RequestRecord[] }>('GET', `/requests${query ? `?${query}` : ''}`).then((body) => body.requests.reverse()),
    [query],
    (event) => event.type === 'request',
  );
  const shown = (journal.data ?? []).filter((record) => record.url.includes(path));

  return (
    <section>
      <div class="heading">
        <h1>Request journal</h1>
        <form class="inline" aria-label="filters" onSubmit={(event) => event.preventDefault()}>
          <select aria-label="provider filter" value={provider} onChange={(event) => setProvider(event.currentTarget.value)}>
            <option value="">every provider</option>
            {providers.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <select aria-label="method filter" value={method} onChange={(event) => setMethod(event.currentTarget.value)}>
            <option value="">every method</option>
            {METHODS.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <input aria-label="path filter" placeholder="path contains…" value={path} onInput={(event) => setPath(event.currentTarget.value)} />
          <button
            type="button"
            onClick={async () => {
              await api('DELETE', '/requests');
              journal.reload();
            }}
          >
            Clear journal
          </button>
        </form>
      </div>
      {journal.error && <p class="error">{journal.error}</p>}
      {journal.data && shown.length === 0 && <p class="empty">No requests{journal.data.length > 0 ? ' match' : ' yet'}.</p>}
      {shown.length > 0 && (
        <table class="journal" aria-label="requests">
          <thead>
            <tr>
              <th>Time</th>
              <th>Method</th>
              <th>Path</th>
              <th>Provider</th>
              <th>Status</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((record) => (
              <tr key={record.id} data-testid="request" data-status={record.status}>
                <td class="nowrap">{dateTime(record.at)}</td>
                <td>{record.method}</td>
                <td>
                  <code>{record.url}</code>
                </td>
                <td>{record.provider ?? <span class="muted">none</span>}</td>
                <td>
                  <span class={`badge ${record.status < 400 ? 'ok' : 'bad'}`}>{record.status}</span> <ChaosBadge chaos={record.chaos} />
                </td>
                <td class="nowrap">{record.durationMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
