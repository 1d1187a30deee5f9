/** A Drive file id in a link: letters, digits, `-` and `_` (Drive's own are 25 to 44 characters). */
const FILE_ID = /^[A-Za-z0-9_-]{20,200}$/;
/** A bare file id: as Drive makes them, 25 to 44 characters not starting with `-` (a Claude Code project folder does). */
const BARE_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{24,43}$/;

/**
 * The file id in a Google Drive link (`https://drive.google.com/file/d/<id>/view`,
 * `…/open?id=<id>`, `…/uc?id=<id>`, `https://docs.google.com/…/d/<id>/…`) or a bare file id (25-44
 * characters, not starting with `-`);
 * undefined for anything else.
 *
 * @example
 * driveFileId('https://drive.google.com/file/d/1AbC…xyz/view?usp=sharing'); // '1AbC…xyz'
 */
export function driveFileId(link: string): string | undefined {
  const text = link.trim();
  if (BARE_ID.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || !/^(drive|docs)\.google\.com$/.test(url.hostname)) return undefined;
  const fromPath = /\/d\/([^/]+)/.exec(url.pathname)?.[1];
  const id = fromPath ?? url.searchParams.get('id') ?? undefined;
  return id !== undefined && FILE_ID.test(id) ? id : undefined;
}
