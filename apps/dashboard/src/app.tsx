import { api, type Health } from './api';
import { ClockBar } from './clock';
import { useConnected, useResource } from './live';
import { href, useRoute } from './router';
import { AccountsView } from './views/accounts';
import { ChaosView } from './views/chaos';
import { ChatView } from './views/chat';
import { RequestsView } from './views/requests';
import { WebhooksView } from './views/webhooks';

const SECTIONS = [
  ['accounts', 'Accounts'],
  ['webhooks', 'Webhook journal'],
  ['requests', 'Request journal'],
  ['chaos', 'Chaos'],
] as const;

export function App() {
  const route = useRoute();
  const connected = useConnected();
  const health = useResource(
    () => api<Health>('GET', '/health'),
    [],
    () => false,
  );
  const providers = health.data?.providers ?? [];
  const [section = 'accounts', ...rest] = route;

  return (
    <div class="layout">
      <aside class="sidebar">
        <a class="brand" href={href('accounts')}>
          <span class="logo" aria-hidden="true">
            ◎
          </span>{' '}
          wa-sandbox
        </a>
        <nav>
          {SECTIONS.map(([name, title]) => (
            <a key={name} href={href(name)} class={section === name || (name === 'accounts' && section === 'chat') ? 'active' : ''}>
              {title}
            </a>
          ))}
        </nav>
        <div class="sidebar-foot">
          <span data-testid="live-status" data-live={connected}>
            <span class={connected ? 'dot live' : 'dot'} />
            {connected ? 'live' : 'reconnecting…'}
          </span>
          {health.data && <div class="muted">v{health.data.version}</div>}
          <a href="/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
        </div>
      </aside>
      <div class="main">
        <ClockBar />
        <main>
          {section === 'chat' && rest.length === 2 ? (
            <ChatView provider={rest[0]!} accountKey={rest[1]!} />
          ) : section === 'webhooks' ? (
            <WebhooksView />
          ) : section === 'requests' ? (
            <RequestsView providers={providers} />
          ) : section === 'chaos' ? (
            <ChaosView providers={providers} />
          ) : (
            <AccountsView providers={providers} />
          )}
        </main>
      </div>
    </div>
  );
}
