import QRCode from 'qrcode';
import { useEffect, useState } from 'preact/hooks';
import { api, type Session } from '../api';
import { phone, time } from '../format';

/** A session (a provider's phone or device) and the buttons that play the phone. */
export function SessionCard({ session }: { session: Session }) {
  const [scanAs, setScanAs] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [qr, setQr] = useState<string | undefined>(undefined);
  const payload = session.qr?.payload;
  useEffect(() => {
    setQr(undefined);
    if (payload) QRCode.toDataURL(payload, { margin: 1, width: 176 }).then(setQr, () => setQr(undefined));
  }, [payload]);

  const act = async (path: string, body: unknown = {}) => {
    setError(undefined);
    try {
      await api('POST', path, body);
    } catch (problem) {
      setError((problem as Error).message);
    }
  };
  const id = encodeURIComponent(session.id);

  return (
    <div class="session" data-testid={`session-${session.id}`} data-state={session.state}>
      <div class="session-head">
        <strong>{session.label}</strong>
        <span class={`badge state-${session.state}`}>{session.state}</span>
      </div>
      <div class="small muted">
        {session.phone ? `linked to ${phone(session.phone)}` : 'no phone linked'} · since {time(session.stateSince)}
      </div>
      {qr && <img class="qr" src={qr} alt={`QR code of ${session.label}`} />}
      {session.pairing && (
        <div class="pairing">
          pairing code <code>{session.pairing.code}</code> for {phone(session.pairing.phone)}
        </div>
      )}
      <div class="buttons">
        {session.state === 'qr' && (
          <>
            <input
              class="narrow-wide"
              aria-label="phone that scans"
              placeholder="phone (optional)"
              value={scanAs}
              onInput={(event) => setScanAs(event.currentTarget.value)}
            />
            <button type="button" class="primary" onClick={() => act(`/sessions/${id}/scan`, scanAs ? { phone: scanAs.replace(/^\+/, '') } : {})}>
              Scan
            </button>
          </>
        )}
        {session.pairing && (
          <button type="button" class="primary" onClick={() => act('/sessions/pair', { code: session.pairing!.code, phone: session.pairing!.phone })}>
            Type the code
          </button>
        )}
        {(session.state === 'connected' || session.state === 'loading') && (
          <button type="button" onClick={() => act(`/sessions/${id}/disconnect`)}>
            Disconnect
          </button>
        )}
        {session.state === 'disconnected' && (
          <button type="button" onClick={() => act(`/sessions/${id}/reconnect`)}>
            Reconnect
          </button>
        )}
      </div>
      {error && <p class="error">{error}</p>}
    </div>
  );
}
