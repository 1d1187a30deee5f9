import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** What {@link useData} gives: the data, the last error, and a reload. */
export interface DataState<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` whenever `key` changes (and on `reload`), keeping the last data while a reload runs;
 * an answer that comes after a newer request started is dropped. Nothing loads while `enabled` is false.
 */
export function useData<T>(key: string, load: () => Promise<T>, enabled = true): DataState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => {
        if (mine === seq.current) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (mine !== seq.current) return;
        const e =
          error instanceof ApiError
            ? error
            : new ApiError('CLIENT', String((error as Error)?.message ?? error), 0);
        setState((s) => ({ data: s.data, error: e, loading: false }));
      },
    );
  }, [key, tick, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A function that runs `fn` at most once per `ms`, trailing (the last call always runs). */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      last = Date.now();
      fn();
    }, wait);
  };
}
