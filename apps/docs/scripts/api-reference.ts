/**
 * The API reference (Markdown under `<site>/api/`) from the JSDoc of every public entry point, by
 * TypeDoc with typedoc-plugin-markdown. Anchors are left as the plugin writes them (`#default_days`,
 * `#property-dur_count`): the site slugs headings as GitHub does, so they resolve. An undocumented exported
 * member, or a `{@link}` that resolves to nothing, fails the build. The output is cached by a hash
 * of the sources (TypeDoc takes ~15 s), so an unchanged tree reuses it.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import {
  Application,
  DeclarationReflection,
  type ProjectReflection,
  ReferenceReflection,
  type Reflection,
  ReflectionKind,
} from 'typedoc';
import { APP, CACHE, REPO } from './site-paths.ts';

const TSCONFIG = join(APP, 'tsconfig.api.json');

/** The public entry points: the files of tsconfig.api.json (each a package's export or subpath). */
export function apiEntryPoints(): string[] {
  const config = JSON.parse(readFileSync(TSCONFIG, 'utf8')) as { files: string[] };
  return config.files.map((file) => join(APP, file));
}

/** Kinds that must carry a doc comment (properties of an interface are described by the interface). */
const REQUIRED = ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias', 'Method', 'Accessor'];

/** One exported member of an entry point and whether its declaration has a comment. */
export interface ApiMember {
  module: string;
  name: string;
  kind: string;
  documented: boolean;
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) hash.update(relative(REPO, path)).update(readFileSync(path));
    }
  };
  for (const pkg of readdirSync(join(REPO, 'packages')).sort()) {
    const src = join(REPO, 'packages', pkg, 'src');
    if (existsSync(src)) walk(src);
  }
  hash.update(readFileSync(TSCONFIG)).update(readFileSync(new URL(import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

/** Whether a reflection (or, for a re-export, the member it re-exports) carries a doc comment. */
function hasComment(reflection: Reflection): boolean {
  const target =
    reflection instanceof ReferenceReflection ? reflection.tryGetTargetReflectionDeep() : reflection;
  if (!target) return false;
  const signatures = target instanceof DeclarationReflection ? (target.signatures ?? []) : [];
  return Boolean(target.comment?.summary.length || signatures.some((s) => s.comment?.summary.length));
}

function membersOf(project: ProjectReflection): ApiMember[] {
  return (project.children ?? []).flatMap((module) =>
    (module.children ?? []).map((member) => ({
      module: module.name,
      name: member.name,
      kind: ReflectionKind[member.kind],
      documented: hasComment(member),
    })),
  );
}

async function generate(out: string): Promise<ApiMember[]> {
  const app = await Application.bootstrapWithPlugins({
    entryPoints: apiEntryPoints(),
    tsconfig: TSCONFIG,
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    excludeExternals: true,
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    skipErrorChecking: true,
    sort: ['source-order'],
    outputFileStrategy: 'modules',
    entryFileName: 'index',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    typeDeclarationFormat: 'table',
    validation: { notExported: false, invalidLink: true, notDocumented: true },
    requiredToBeDocumented: REQUIRED,
    packagesRequiringDocumentation: readdirSync(join(REPO, 'packages')).map((name) => `@sat/${name}`),
    treatValidationWarningsAsErrors: true,
    treatWarningsAsErrors: true,
    logLevel: 'Warn',
  } as Parameters<typeof Application.bootstrapWithPlugins>[0]);
  const project = await app.convert();
  if (!project)
    throw new Error('[docs] TypeDoc could not convert the entry points of apps/docs/tsconfig.api.json');
  app.validate(project);
  if (app.logger.hasErrors() || app.logger.hasWarnings()) {
    throw new Error(
      '[docs] the API reference has undocumented exports or broken {@link}s (see the warnings above)',
    );
  }
  await app.generateOutputs(project);
  return membersOf(project);
}

/** Writes the API reference into `out` (from the cache when the sources are unchanged); returns its members. */
export async function writeApiReference(out: string): Promise<ApiMember[]> {
  const cached = join(CACHE, `api-${sourceHash()}`);
  if (!existsSync(join(cached, 'members.json'))) {
    rmSync(CACHE, { recursive: true, force: true });
    mkdirSync(cached, { recursive: true });
    const members = await generate(join(cached, 'api'));
    writeFileSync(join(cached, 'members.json'), JSON.stringify(members, null, 1));
  }
  rmSync(out, { recursive: true, force: true });
  cpSync(join(cached, 'api'), out, { recursive: true });
  return JSON.parse(readFileSync(join(cached, 'members.json'), 'utf8')) as ApiMember[];
}
