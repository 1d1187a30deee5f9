/**
 * Heading ids as GitHub makes them (lower case, punctuation dropped, each space a hyphen:
 * "Setting it up: `sat init --otel`" is `setting-it-up-sat-init---otel`), so a link written
 * against docs/ on GitHub finds the same heading on the site, and TypeDoc's `#default_days` finds
 * `DEFAULT_DAYS`.
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
