import { useEffect, useRef, useState } from 'preact/hooks';
import type { Clock, Message, RequestRecord, Session, WebhookAttempt } from './api';

/** What `GET /__sandbox/events` streams (apps/sandbox/src/control/live-events.ts). */
export type LiveEvent =
  | { type: 'message'; cause: 'status' | 'receipt' | 'received'; message: Message }
  | { type: 'session'; session: Session }
  | { type: 'webhook'; attempt: WebhookAttempt }
  | { type: 'request'; request: Omit<RequestRecord, 'id' | 'path'> }
  | { type: 'clock'; clock: Clock }
  | { type: 'reset' };

const TYPES: LiveEvent['type'][] = ['message', 'session', 'webhook', 'request', 'clock', 'reset'];
const listeners = new Set<(event: LiveEvent) => void>();
const connection = { open: false, listeners: new Set<(open: boolean) => void>() };

/**
 * One EventSource for the page. It carries the login cookie (an EventSource cannot send an Authorization
 * header) and reconnects by itself after the sandbox restarts.
 */
export function connectLive(): void {
  const source = new EventSource('/__sandbox/events');
  const setOpen = (open: boolean) => {
    connection.open = open;
    for (const listener of connection.listeners) listener(open);
  };
  source.onopen = () => setOpen(true);
  source.onerror = () => setOpen(false);
  for (const type of TYPES) {
    source.addEventListener(type, (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as LiveEvent;
      for (const listener of listeners) listener(data);
    });
  }
}

/** Calls `listener` with every live event while the component is mounted. */
export function useLive(listener: (event: LiveEvent) => void): void {
  const current = useRef(listener);
  current.current = listener;
  useEffect(() => {
    const forward = (event: LiveEvent) => current.current(event);
    listeners.add(forward);
    return () => void listeners.delete(forward);
  }, []);
}

export function useConnected(): boolean {
  const [open, setOpen] = useState(connection.open);
  useEffect(() => {
    connection.listeners.add(setOpen);
    // The stream may have opened between the first render and this effect (effects run after paint): with
    // no listener to tell, the page said "reconnecting…" while live (seen in CI on a busy machine).
    setOpen(connection.open);
    return () => void connection.listeners.delete(setOpen);
  }, []);
  return open;
}

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => void;
}

/**
 * Data from the control API, loaded again when `deps` change and whenever a live event `refreshOn` accepts
 * (or a reset) arrives. A burst of events (an advance delivering a hundred messages) makes one reload.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[], refreshOn: (event: LiveEvent) => boolean): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const generation = useRef(0);

  const reload = () => {
    const mine = ++generation.current;
    loader.current().then(
      (value) => {
        if (mine !== generation.current) return; // an older answer arriving after a newer one
        setData(value);
        setError(undefined);
      },
      (problem: unknown) => {
        if (mine === generation.current) setError(problem instanceof Error ? problem.message : String(problem));
      },
    );
  };
  // The caller's deps say when its loader changes.
  useEffect(() => {
    setData(undefined);
    reload();
  }, deps);
  useEffect(() => () => clearTimeout(pending.current), []);
  useLive((event) => {
    if (event.type !== 'reset' && !refreshOn(event)) return;
    if (pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 50);
  });
  return { data, error, reload };
}
