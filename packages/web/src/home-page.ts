/**
 * The placeholder page `GET /` serves until the web page is built: it says so and links the
 * API. `tokenQuery` (`?token=...`) is appended to the links when the server needs a token.
 *
 * @example
 * homePage('');
 */
export function homePage(tokenQuery: string): string {
  const links = [
    '/api/sessions',
    '/api/stats/agents',
    '/api/stats/tools',
    '/api/stats/errors',
    '/api/stats/cost',
    '/api/stats/session',
    '/api/alerts',
    '/api/backups',
    '/api/stream',
  ]
    .map((path) => `<li><a href="${path}${tokenQuery}">${path}</a></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sat serve</title></head>
<body>
<h1>sat serve</h1>
<p>The web page is not built yet. The JSON API is running (see docs/web.md):</p>
<ul>
${links}
</ul>
</body></html>
`;
}
