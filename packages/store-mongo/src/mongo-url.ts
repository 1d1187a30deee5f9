/**
 * Connection strings without their secrets: the password is never printed, logged, put in
 * `location`, an error or an event; everything shown goes through {@link redactMongoUrl}.
 */

const CREDENTIALS = /^(mongodb(?:\+srv)?:\/\/)([^@/?#]*)@/i;

/**
 * The URL with its password removed (the user name stays, to say who is connecting).
 *
 * @example
 * redactMongoUrl('mongodb+srv://ana:s3cret@c0.example.net/?retryWrites=true') // 'mongodb+srv://ana@c0.example.net/?retryWrites=true'
 */
export function redactMongoUrl(url: string): string {
  const match = CREDENTIALS.exec(url);
  const redacted = match ? `${match[1]}${(match[2] ?? '').split(':')[0]}@${url.slice(match[0].length)}` : url;
  return redacted.replace(/([?&](?:password|authMechanismProperties)=)[^&#]*/gi, '$1***');
}

/** The user name in a connection string, decoded, or undefined. */
export function mongoUrlUser(url: string): string | undefined {
  const credentials = CREDENTIALS.exec(url)?.[2];
  if (!credentials) return undefined;
  const user = credentials.split(':')[0] ?? '';
  return user === '' ? undefined : decodeURIComponent(user);
}

/** The password of a connection string (decoded and as written), to scrub from any text shown. */
export function mongoUrlSecrets(url: string): string[] {
  const credentials = CREDENTIALS.exec(url)?.[2];
  const at = credentials?.indexOf(':') ?? -1;
  if (!credentials || at < 0) return [];
  const raw = credentials.slice(at + 1);
  if (raw === '') return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // A malformed escape: scrub the text as written.
  }
  return [...new Set([raw, decoded])];
}

/** `text` with every secret of `url` replaced by `***`. */
export function scrubSecrets(text: string, url: string): string {
  let out = text;
  for (const secret of mongoUrlSecrets(url)) out = out.split(secret).join('***');
  return out;
}

/**
 * Where the data is, for `status().location` and messages: the redacted URL's host part and the
 * database (`mongodb://ana@c0.example.net/sat`).
 */
export function mongoLocation(url: string, database: string): string {
  const base = redactMongoUrl(url).replace(/[?#].*$/, '');
  const schemeEnd = base.indexOf('://') + 3;
  const slash = base.indexOf('/', schemeEnd);
  const hosts = slash < 0 ? base : base.slice(0, slash);
  return `${hosts}/${database}`;
}
