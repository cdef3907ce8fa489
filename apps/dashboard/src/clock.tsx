import { useEffect, useState } from 'preact/hooks';
import { api, type Clock } from './api';
import { dateTime } from './format';
import { useLive } from './live';

const UNITS = [
  ['s', 1000],
  ['min', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
] as const;

/** The clock: mode, speed, time (running on between events on the real clock), and an advance by a chosen amount. */
export function ClockBar() {
  const [clock, setClock] = useState<{ state: Clock; receivedAt: number } | undefined>(undefined);
  const [, tick] = useState(0);
  const [amount, setAmount] = useState('1');
  const [unit, setUnit] = useState<string>('min');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const take = (state: Clock) => setClock({ state, receivedAt: Date.now() });

  useEffect(() => {
    api<Clock>('GET', '/clock').then(take, (problem: Error) => setError(problem.message));
  }, []);
  useLive((event) => {
    if (event.type === 'clock') take(event.clock);
    if (event.type === 'reset') api<Clock>('GET', '/clock').then(take);
  });
  const running = clock?.state.mode === 'real';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [running]);

  const act = async (work: () => Promise<Clock>) => {
    setBusy(true);
    setError(undefined);
    try {
      take(await work());
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const now = clock && (running ? clock.state.nowMs + (Date.now() - clock.receivedAt) * clock.state.speed : clock.state.nowMs);
  const factor = UNITS.find(([name]) => name === unit)![1];
  const ms = Math.round(Number(amount) * factor);

  return (
    <header class="clockbar">
      <div class="clock-now">
        <span class="muted">clock</span> <strong data-testid="clock-now">{now === undefined ? '…' : dateTime(new Date(now).toISOString())}</strong>
        <span class="muted"> UTC</span>
      </div>
      {clock && (
        <div class="clock-controls">
          <div class="segmented" title="clock mode">
            {(['manual', 'real'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                class={clock.state.mode === mode ? 'on' : ''}
                aria-pressed={clock.state.mode === mode}
                onClick={() => act(() => api('PUT', '/clock', { mode }))}
              >
                {mode}
              </button>
            ))}
          </div>
          <label>
            speed ×
            <input
              class="narrow"
              type="number"
              min="0.01"
              step="any"
              value={clock.state.speed}
              onChange={(event) => act(() => api('PUT', '/clock', { speed: Number(event.currentTarget.value) }))}
            />
          </label>
          <form
            class="advance"
            onSubmit={(event) => {
              event.preventDefault();
              void act(() => api('POST', '/clock/advance', { ms }));
            }}
          >
            <label>
              advance by
              <input class="narrow" type="number" min="0" step="any" value={amount} onInput={(event) => setAmount(event.currentTarget.value)} />
            </label>
            <select aria-label="unit" value={unit} onChange={(event) => setUnit(event.currentTarget.value)}>
              {UNITS.map(([name]) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <button type="submit" class="primary" disabled={busy || !(ms >= 0)}>
              Advance
            </button>
          </form>
          <span class="muted" title="tasks waiting on the clock">
            {clock.state.scheduled} scheduled
          </span>
        </div>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </header>
  );
}
