import { useEffect, useRef } from 'preact/hooks';
import { streamUrl } from './api';

/** A message of `/api/stream`: a new event, a session change, an alert, an issue, or `reset` (refetch everything). */
export interface LiveMessage {
  type: 'event' | 'session' | 'alert' | 'issue' | 'reset';
  data: unknown;
}

type Listener = (message: LiveMessage) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;
let connected = false;
const stateListeners = new Set<(open: boolean) => void>();

function setConnected(open: boolean): void {
  connected = open;
  for (const fn of stateListeners) fn(open);
}

/** Opens the one EventSource of the page (it reconnects by itself, sending Last-Event-ID). */
function ensureSource(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource(streamUrl());
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
  for (const type of ['event', 'session', 'alert', 'issue', 'reset'] as const)
    source.addEventListener(type, (e) => {
      let data: unknown = null;
      try {
        data = JSON.parse((e as MessageEvent<string>).data);
      } catch {
        data = (e as MessageEvent<string>).data;
      }
      for (const fn of listeners) fn({ type, data });
    });
}

/** Calls `handler` with every live message while the component is mounted. */
export function useLive(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    ensureSource();
    const fn: Listener = (m) => ref.current(m);
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, []);
}

/** Calls `fn` with whether the stream is connected, now and on every change; returns the unsubscribe. */
export function onConnection(fn: (open: boolean) => void): () => void {
  ensureSource();
  stateListeners.add(fn);
  fn(connected);
  return () => {
    stateListeners.delete(fn);
  };
}
