import { useEffect, useRef } from 'preact/hooks';

/** What the keys do on the current view. */
export interface KeyActions {
  move(delta: number): void;
  open(): void;
  back(): void;
  go(where: 'overview' | 'sessions'): void;
  search(): void;
  help(): void;
  escape(): boolean;
}

/** The keys, for the `?` overlay. */
export const KEYS: Array<[string, string]> = [
  ['/', 'search sessions'],
  ['j / ↓, k / ↑', 'move in the list'],
  ['Enter', 'open the selected session'],
  ['Esc / Backspace', 'back'],
  ['g o', 'overview'],
  ['g s', 'sessions'],
  ['?', 'show these keys'],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable)
  );
}

/** Binds the page's keys (none fire while typing in a field, except Esc, which leaves it). */
export function useKeys(actions: KeyActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent) => {
      const a = ref.current;
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (typing(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const g = Date.now() - pendingG < 1000;
      pendingG = 0;
      const table: Record<string, () => void> = {
        '/': () => a.search(),
        j: () => a.move(1),
        ArrowDown: () => a.move(1),
        k: () => a.move(-1),
        ArrowUp: () => a.move(-1),
        Enter: () => a.open(),
        Backspace: () => a.back(),
        Escape: () => {
          if (!a.escape()) a.back();
        },
        '?': () => a.help(),
        g: () => {
          pendingG = Date.now();
        },
      };
      if (g && (e.key === 'o' || e.key === 's')) {
        e.preventDefault();
        a.go(e.key === 'o' ? 'overview' : 'sessions');
        return;
      }
      const fn = table[e.key];
      if (!fn) return;
      if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      e.preventDefault();
      fn();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
