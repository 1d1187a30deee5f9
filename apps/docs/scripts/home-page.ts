/**
 * The site's home page (VitePress's `home` layout). Its front matter is written as JSON (valid
 * YAML) from this object, so no Markdown formatter can reflow it.
 */

const HOME = {
  layout: 'home',
  title: 'SubAgent Tracking System',
  description:
    'Records what AI coding agents and their sub-agents do, keeps it safe, and turns it into handoffs, recovery and analytics.',
  hero: {
    name: 'SubAgent Tracking System',
    text: 'What your coding agents did, what it cost, how to resume.',
    tagline:
      'sat records everything Claude Code and its sub-agents do in an append-only log, counts tokens and cost exactly, and turns it into handoffs, recovery, analytics, reviews and backups.',
    actions: [
      { theme: 'brand', text: 'Getting started', link: '/getting-started' },
      { theme: 'alt', text: 'CLI reference', link: '/cli/' },
      { theme: 'alt', text: 'API reference', link: '/api/' },
    ],
  },
  features: [
    {
      title: 'Capture',
      details:
        'Claude Code hooks through a shell spool of a few milliseconds, transcript import with exact token cost, the tracker API, OpenTelemetry.',
      link: '/capture',
    },
    {
      title: 'Resume',
      details:
        "Snapshots of a session's state, Markdown handoffs a new session starts from, recovery of interrupted sessions.",
      link: '/snapshots-handoffs',
    },
    {
      title: 'Analyse',
      details:
        'SQLite or MongoDB analytics, reviews of a phase, alerts, a live dashboard, the statusline and a web page.',
      link: '/analytics',
    },
    {
      title: 'Keep safe',
      details:
        'Secrets redacted before anything is stored; verified backups to a folder, Google Drive, S3 Glacier archives or GridFS.',
      link: '/backups',
    },
  ],
};

/** The Markdown of the home page. */
export function homePage(): string {
  return `---\n${JSON.stringify(HOME, null, 2)}\n---\n`;
}
