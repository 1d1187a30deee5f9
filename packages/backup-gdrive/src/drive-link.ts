/** A Drive file id: letters, digits, `-` and `_` (Drive's own are 25 to 44 characters). */
const FILE_ID = /^[A-Za-z0-9_-]{20,200}$/;

/**
 * The file id in a Google Drive link (`https://drive.google.com/file/d/<id>/view`,
 * `…/open?id=<id>`, `…/uc?id=<id>`, `https://docs.google.com/…/d/<id>/…`) or a bare file id;
 * undefined for anything else.
 *
 * @example
 * driveFileId('https://drive.google.com/file/d/1AbC…xyz/view?usp=sharing'); // '1AbC…xyz'
 */
export function driveFileId(link: string): string | undefined {
  const text = link.trim();
  if (FILE_ID.test(text)) return text;
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
