import { useState } from 'preact/hooks';
import { accountPath, api, type WebhookAttempt } from '../api';
import { dateTime } from '../format';
import { useResource } from '../live';
import { ChaosBadge, StatusCode } from './journal-parts';

/** Every webhook attempt, newest first: time, url, status, latency, payload; failed accounts can re-send. */
export function WebhooksView() {
  const journal = useResource(
    () => api<{ attempts: WebhookAttempt[] }>('GET', '/webhooks/journal?limit=500').then((body) => body.attempts.reverse()),
    [],
    (event) => event.type === 'webhook',
  );
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const resend = async (attempt: WebhookAttempt) => {
    try {
      const { resent } = await api<{ resent: number }>('POST', `${accountPath(attempt.provider, attempt.accountKey)}/webhook/resend`);
      setNotice(
        `${attempt.provider}/${attempt.accountKey}: ${resent === 0 ? 'nothing waits to be delivered' : `${resent} undelivered event${resent === 1 ? '' : 's'} re-sent`}`,
      );
    } catch (problem) {
      setNotice((problem as Error).message);
    }
  };

  return (
    <section>
      <div class="heading">
        <h1>Webhook journal</h1>
        {notice && (
          <span class="notice" role="status">
            {notice}
          </span>
        )}
      </div>
      {journal.error && <p class="error">{journal.error}</p>}
      {journal.data?.length === 0 && <p class="empty">No webhook attempts yet.</p>}
      {journal.data && journal.data.length > 0 && (
        <table class="journal" aria-label="webhook attempts">
          <thead>
            <tr>
              <th>Time</th>
              <th>Account</th>
              <th>URL</th>
              <th>Status</th>
              <th>Latency</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {journal.data.map((attempt, index) => {
              const id = `${attempt.eventId}-${attempt.at}-${index}`;
              return [
                <tr key={id} data-testid="webhook-attempt" data-ok={attempt.ok} class="clickable" onClick={() => setOpen(open === id ? undefined : id)}>
                  <td class="nowrap">{dateTime(attempt.at)}</td>
                  <td>
                    {attempt.provider}/{attempt.accountKey}
                  </td>
                  <td>
                    <code>{attempt.url}</code>
                  </td>
                  <td>
                    <StatusCode status={attempt.status} ok={attempt.ok} /> {attempt.error && <span class="muted small">{attempt.error}</span>}{' '}
                    <ChaosBadge chaos={attempt.chaos} />
                  </td>
                  <td class="nowrap">{attempt.latencyMs} ms</td>
                  <td>
                    {!attempt.ok && (
                      <button
                        type="button"
                        onClick={(event) => {
                          event.stopPropagation();
                          void resend(attempt);
                        }}
                      >
                        Resend
                      </button>
                    )}
                  </td>
                </tr>,
                open === id && (
                  <tr key={`${id}-payload`} class="payload">
                    <td colSpan={6}>
                      <pre>{JSON.stringify(attempt.body, null, 2)}</pre>
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
