/** `pnpm docs:dev`: assembles the site's source once, then serves it with VitePress's dev server. */
import { createServer } from 'vitepress';
import { assembleSite } from './assemble-site.ts';
import { APP } from './site-paths.ts';

await assembleSite();
const server = await createServer(APP);
await server.listen();
server.printUrls();
