import { useEffect, useState } from 'preact/hooks';
import { accountPath, api, type Account, type Message, type Session } from '../api';
import { phone, time } from '../format';
import { useResource } from '../live';
import { WebhookUrl } from './accounts';
import { ChaosBadge } from './journal-parts';
import { SessionCard } from './sessions';

interface Props {
  provider: string;
  accountKey: string;
}

/** The customer a message is with. */
const peerOf = (message: Message) => (message.direction === 'outbound' ? message.to : message.from);

/** An account's chats as WhatsApp shows them: customers on the left, the selected one's bubbles, a composer that plays the customer. */
export function ChatView({ provider, accountKey }: Props) {
  const base = accountPath(provider, accountKey);
  const account = useResource(
    () => api<Account>('GET', base),
    [base],
    () => false,
  );
  const messages = useResource(
    () => api<Message[]>('GET', `${base}/messages`),
    [base],
    (event) => event.type === 'message' || (event.type === 'request' && event.request.provider === provider),
  );
  const sessions = useResource(
    () => api<Session[]>('GET', `${base}/sessions`),
    [base],
    (event) => (event.type === 'session' && event.session.provider === provider) || (event.type === 'request' && event.request.provider === provider),
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);

  const chats = new Map<string, Message[]>();
  for (const message of messages.data ?? []) chats.set(peerOf(message), [...(chats.get(peerOf(message)) ?? []), message]);
  const peers = [...chats.keys()].sort((a, b) => chats.get(b)!.at(-1)!.createdAt.localeCompare(chats.get(a)!.at(-1)!.createdAt));
  const peer = selected ?? peers[0];
  useEffect(() => setSelected(undefined), [base]);

  return (
    <section class="chat-page">
      <div class="heading">
        <h1>
          {provider} <span class="muted">/</span> {accountKey}
        </h1>
        {account.data && (
          <div class="small">
            line {phone(account.data.linePhone)} · webhook <WebhookUrl account={account.data} onSaved={account.reload} />
          </div>
        )}
      </div>
      {(messages.error || account.error) && <p class="error">{messages.error ?? account.error}</p>}
      <div class="chat-layout">
        <ul class="peers" aria-label="customers">
          {peers.length === 0 && <li class="empty">No chats yet</li>}
          {peers.map((number) => {
            const chat = chats.get(number)!;
            const last = chat.at(-1)!;
            // The name the customer's WhatsApp profile gives, from their own messages.
            const name = chat.findLast((message) => message.profileName !== null)?.profileName;
            return (
              <li key={number}>
                <button type="button" class={number === peer ? 'peer on' : 'peer'} onClick={() => setSelected(number)}>
                  <span class="avatar" aria-hidden="true">
                    {name ? name.slice(0, 1).toUpperCase() : '#'}
                  </span>
                  <span class="peer-text">
                    <strong>{name ?? phone(number)}</strong>
                    {name && <span class="muted small">{phone(number)}</span>}
                    <span class="muted small">{last.text || `[${last.kind}]`}</span>
                  </span>
                  <span class="muted small">{time(last.createdAt)}</span>
                </button>
              </li>
            );
          })}
        </ul>
        <div class="conversation">
          <div class="bubbles" role="log" aria-label="messages">
            {(peer ? (chats.get(peer) ?? []) : []).map((message) => (
              <Bubble key={message.id} message={message} />
            ))}
          </div>
          <Composer base={base} peer={peer} sessions={sessions.data ?? []} onSent={(number) => setSelected(number)} />
        </div>
        <aside class="sessions" aria-label="sessions">
          <h2>Sessions</h2>
          {sessions.data?.length === 0 && <LinkButton base={base} onLinked={sessions.reload} />}
          {sessions.data?.map((session) => (
            <SessionCard key={session.id} session={session} />
          ))}
        </aside>
      </div>
    </section>
  );
}

// Plain symbols rather than emoji: a machine without an emoji font (a CI's Chromium) still draws them.
const TICKS: Record<string, string> = { queued: '○', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

function Bubble({ message }: { message: Message }) {
  const outbound = message.direction === 'outbound';
  const code = message.providerFailureCode ?? message.failureCode;
  return (
    <div class={`bubble ${outbound ? 'out' : 'in'}`} data-testid="bubble" data-message-id={message.id} data-status={message.status}>
      {!outbound && message.profileName && <div class="author">{message.profileName}</div>}
      <Media message={message} />
      {message.text && <div class="text">{message.text}</div>}
      {message.status === 'failed' && (
        <div class="failure" role="status">
          failed{code ? ` (${code})` : ''}
          {message.failureReason ? `: ${message.failureReason}` : ''}
        </div>
      )}
      <ChaosBadge chaos={message.chaos} />
      <div class="meta">
        {time(message.createdAt)}
        {outbound && (
          <span
            class={`ticks ${message.status}`}
            role="img"
            aria-label={`status ${message.status}`}
            title={message.history.map((step) => `${step.status} ${time(step.at)}`).join('\n')}
          >
            {TICKS[message.status] ?? ''}
          </span>
        )}
      </div>
    </div>
  );
}

function Media({ message }: { message: Message }) {
  const url = message.mediaUrl;
  if (message.kind === 'location') return <div class="attachment">Location</div>;
  if (message.kind === 'contacts') return <div class="attachment">Contact card</div>;
  if (!url) return null;
  if (message.kind === 'image' || message.kind === 'sticker' || /\.(jpe?g|png|gif|webp)$/i.test(url))
    return <img class="media" src={url} alt={message.kind} loading="lazy" />;
  if (message.kind === 'video' || /\.(mp4|3gp)$/i.test(url)) {
    // biome-ignore lint/a11y/useMediaCaption: a customer's media comes with no captions to offer
    return <video class="media" src={url} controls preload="metadata" />;
  }
  if (['audio', 'voice', 'ptt'].includes(message.kind) || /\.(mp3|ogg|m4a|aac|amr|wav)$/i.test(url)) {
    // biome-ignore lint/a11y/useMediaCaption: a customer's media comes with no captions to offer
    return <audio src={url} controls preload="none" />;
  }
  return (
    <a class="attachment" href={url} target="_blank" rel="noreferrer">
      File: {decodeURIComponent(url.split('/').pop() ?? 'file')}
    </a>
  );
}

type Kind = 'text' | 'media' | 'location' | 'contact';

function Composer({ base, peer, sessions, onSent }: { base: string; peer: string | undefined; sessions: Session[]; onSent: (peer: string) => void }) {
  const samples = useResource(
    () => api<{ files: Array<{ name: string; url: string }> }>('GET', '/media'),
    [],
    () => false,
  );
  const [kind, setKind] = useState<Kind>('text');
  const [from, setFrom] = useState('');
  const [text, setText] = useState('');
  const [media, setMedia] = useState('');
  const [place, setPlace] = useState({ latitude: '55.7558', longitude: '37.6173', name: '' });
  const [card, setCard] = useState({ name: '', phone: '' });
  const [session, setSession] = useState('');
  const [notice, setNotice] = useState<string | undefined>(undefined);
  useEffect(() => setFrom(peer ?? ''), [peer]);
  const line = sessions.some((candidate) => candidate.id === session) ? session : sessions[0]?.id;

  const send = async (event: Event) => {
    event.preventDefault();
    const customer = from.replace(/^\+/, '').trim();
    const body = {
      from: customer,
      ...(line ? { session: line } : {}),
      ...(kind === 'text' ? { text } : {}),
      ...(kind === 'media' ? { mediaUrl: media || samples.data?.files[0]?.url, ...(text ? { text } : {}) } : {}),
      ...(kind === 'location'
        ? { location: { latitude: Number(place.latitude), longitude: Number(place.longitude), ...(place.name ? { name: place.name } : {}) } }
        : {}),
      ...(kind === 'contact' ? { contacts: [{ name: card.name, phones: [card.phone.replace(/^\+/, '')] }] } : {}),
    };
    try {
      const result = await api<{ received: boolean; reason?: string }>('POST', `${base}/inbound`, body);
      setNotice(result.received ? undefined : `not received: ${result.reason}`);
      if (result.received) {
        setText('');
        onSent(customer);
      }
    } catch (problem) {
      setNotice((problem as Error).message);
    }
  };

  return (
    <form class="composer" onSubmit={send} aria-label="a customer writes">
      <div class="composer-row">
        <input
          class="narrow-wide"
          aria-label="customer number"
          placeholder="customer +number"
          required
          value={from}
          onInput={(event) => setFrom(event.currentTarget.value)}
        />
        <select aria-label="message kind" value={kind} onChange={(event) => setKind(event.currentTarget.value as Kind)}>
          <option value="text">text</option>
          <option value="media">media</option>
          <option value="location">location</option>
          <option value="contact">contact</option>
        </select>
        {sessions.length > 1 && (
          <select aria-label="session" value={line} onChange={(event) => setSession(event.currentTarget.value)}>
            {sessions.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.label}
              </option>
            ))}
          </select>
        )}
      </div>
      <div class="composer-row">
        {kind === 'media' && (
          <select aria-label="media file" value={media} onChange={(event) => setMedia(event.currentTarget.value)}>
            {samples.data?.files.map((file) => (
              <option key={file.url} value={file.url}>
                {file.name}
              </option>
            ))}
          </select>
        )}
        {kind === 'location' && (
          <>
            <input
              class="narrow-wide"
              aria-label="latitude"
              value={place.latitude}
              onInput={(event) => setPlace({ ...place, latitude: event.currentTarget.value })}
            />
            <input
              class="narrow-wide"
              aria-label="longitude"
              value={place.longitude}
              onInput={(event) => setPlace({ ...place, longitude: event.currentTarget.value })}
            />
            <input
              aria-label="place name"
              placeholder="name (optional)"
              value={place.name}
              onInput={(event) => setPlace({ ...place, name: event.currentTarget.value })}
            />
          </>
        )}
        {kind === 'contact' && (
          <>
            <input
              aria-label="contact name"
              placeholder="name"
              required
              value={card.name}
              onInput={(event) => setCard({ ...card, name: event.currentTarget.value })}
            />
            <input
              aria-label="contact phone"
              placeholder="+number"
              required
              value={card.phone}
              onInput={(event) => setCard({ ...card, phone: event.currentTarget.value })}
            />
          </>
        )}
        {(kind === 'text' || kind === 'media') && (
          <input
            class="grow"
            aria-label="message text"
            placeholder={kind === 'media' ? 'caption (optional)' : 'Type a message as the customer'}
            required={kind === 'text'}
            value={text}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        )}
        <button type="submit" class="primary">
          Send as customer
        </button>
      </div>
      {notice && (
        <p class="error" role="alert">
          {notice}
        </p>
      )}
    </form>
  );
}

/**
 * An account without sessions sends on its own line. WaMessenger's, WAMM's and Devino's can be linked to a
 * phone (a session with a QR code); Maytapi and Wamessage make theirs through their own API, and say so.
 */
function LinkButton({ base, onLinked }: { base: string; onLinked: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <div>
      <p class="muted small">The account's own line (no phones or devices).</p>
      <button
        type="button"
        onClick={async () => {
          setError(undefined);
          try {
            await api('POST', `${base}/link`, {});
            onLinked();
          } catch (problem) {
            setError((problem as Error).message);
          }
        }}
      >
        Link to a phone
      </button>
      {error && <p class="error small">{error}</p>}
    </div>
  );
}
