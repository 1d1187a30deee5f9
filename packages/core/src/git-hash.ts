import { createHash } from 'node:crypto';

/** git's blob hash of `content` (what `git hash-object` prints). */
export function gitBlobHash(content: string | Buffer): string {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
}
