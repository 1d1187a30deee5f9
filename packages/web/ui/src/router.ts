import { useEffect, useState } from 'preact/hooks';

/** The views of the page. */
export type View = 'overview' | 'sessions' | 'session';

/** Where the page is: its view, the session of a session page, and the URL's parameters. */
export interface Route {
  view: View;
  id?: string;
  params: URLSearchParams;
}

/** The route of a location: `/`, `/sessions`, `/sessions/<id>`; anything else is the overview. */
export function parseRoute(loc: { pathname: string; search: string } = location): Route {
  const params = new URLSearchParams(loc.search);
  const parts = loc.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'sessions' && parts[1]) return { view: 'session', id: parts[1], params };
  if (parts[0] === 'sessions') return { view: 'sessions', params };
  return { view: 'overview', params };
}

const CHANGE = 'sat:navigate';

/** The URL of `path` with `params` (empty ones dropped) and the page's token kept. */
export function href(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  const token = new URLSearchParams(location.search).get('token');
  if (token) q.set('token', token);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

/** Goes to `path` with `params` through the history API (`replace`: without a new history entry). */
export function navigate(
  path: string,
  params: Record<string, string | undefined> = {},
  replace = false,
): void {
  const url = href(path, params);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
  if (!replace) window.scrollTo(0, 0);
}

/** The current params as an object, with `changes` applied (undefined or '' removes one). */
export function withParams(
  route: Route,
  changes: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  route.params.forEach((v, k) => {
    if (k !== 'token') out[k] = v;
  });
  return { ...out, ...changes };
}

/** The current route, updated on navigation and on the browser's back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute());
  useEffect(() => {
    const update = () => setRoute(parseRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** A click handler for an in-page link: navigates without a reload unless a modifier key is held. */
export function linkClick(event: MouseEvent): void {
  const a = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!a || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const url = new URL(a.href);
  history.pushState(null, '', url.pathname + url.search);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}
