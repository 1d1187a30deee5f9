/** An error answer of the API (`{ error: { code, message } }`), or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'sat-token';

/** The server's token: from the page's `?token=`, kept in sessionStorage for the tab's life. */
function readToken(): string | undefined {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** The token this page sends (undefined when the server needs none). */
export const token = readToken();

/** A page of a paginated list. */
export interface Page<T> {
  items: T[];
  total: number;
  nextCursor?: string;
}

function query(params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * Asks the API for `path` (GET unless `method` says otherwise) with the token as
 * `Authorization: Bearer`; an error answer throws {@link ApiError}.
 */
export async function getJson<T>(
  path: string,
  params?: Record<string, string | undefined>,
  method: 'GET' | 'POST' = 'GET',
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path + query(params), {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (error) {
    throw new ApiError(
      'NETWORK',
      `cannot reach the server (${(error as Error).message}): is sat serve running?`,
      0,
    );
  }
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok || body?.error)
    throw new ApiError(
      body?.error?.code ?? 'HTTP',
      body?.error?.message ?? `${res.status} ${res.statusText}`,
      res.status,
    );
  return body as T;
}

/** Every item of a paginated endpoint, page after page. */
export async function getAll<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await getJson<Page<T>>(path, { ...params, limit: '1000', cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** The live stream's URL, with `?token=` (EventSource sends no headers). */
export function streamUrl(): string {
  return `/api/stream${query({ token })}`;
}
