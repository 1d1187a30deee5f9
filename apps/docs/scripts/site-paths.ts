/** Where the site's inputs and outputs live; every script of apps/docs resolves paths from here. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/docs. */
export const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The repository root. */
export const REPO = resolve(APP, '../..');
/** The Markdown every page comes from. */
export const DOCS = join(REPO, 'docs');
/** The assembled source of the site (VitePress's srcDir): written by each build, git-ignored. */
export const SITE_SRC = join(APP, '.site');
/** The built site. */
export const SITE_OUT = join(APP, 'dist');
/** Generated inputs kept between builds (the API reference, keyed by a hash of its sources). */
export const CACHE = join(APP, '.cache');
/** Every exported member of the public entry points as TypeDoc saw them (written by the assembly). */
export const API_MEMBERS = join(SITE_SRC, '.api-members.json');
