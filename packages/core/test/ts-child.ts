import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Esbuild {
  buildSync(options: Record<string, unknown>): { metafile?: { inputs: Record<string, unknown> } };
}

// esbuild comes with tsup (a dev dependency of every package); resolve it from there.
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as Esbuild;

/** Every third-party package the workspace uses: loaded from node_modules, never bundled. */
function externalPackages(): string[] {
  const names = new Set<string>();
  for (const folder of ['packages', 'apps']) {
    const base = join(REPO, folder);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const manifest = join(base, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string>>;
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies'])
        for (const dep of Object.keys(pkg[field] ?? {})) if (!dep.startsWith('@sat/')) names.add(dep);
    }
  }
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

/**
 * The workspace package holding `file`, whose node_modules resolve the bundle's external imports;
 * core for files outside the packages (examples/ and bench/ import `@sat/core`).
 */
function packageOf(file: string): string {
  let dir = dirname(file);
  while (dir !== REPO && !existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir === REPO ? join(REPO, 'packages', 'core') : dir;
}

function upToDate(output: string, inputsFile: string): boolean {
  if (!existsSync(output) || !existsSync(inputsFile)) return false;
  const at = statSync(output).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as string[];
  return inputs.every((input) => existsSync(input) && statSync(input).mtimeMs <= at);
}

const built = new Map<string, string>();

/**
 * A TypeScript file of the tests, bundled into plain JavaScript (workspace packages from source,
 * other packages external), so that child processes start on plain `node` (~0.1 s) instead of
 * through tsx (~1 s). Bundled once, and again only when one of its inputs changed.
 *
 * @example
 * spawn(process.execPath, [compiledChild(fixture('writer-child.ts')), ...args]);
 */
export function compiledChild(file: string): string {
  const known = built.get(file);
  if (known) return known;
  const key = createHash('sha256').update(file).digest('hex').slice(0, 12);
  const dir = join(packageOf(file), 'node_modules', '.cache', 'sat-test-children');
  const output = join(dir, `${key}.mjs`);
  const inputsFile = `${output}.inputs.json`;
  if (!upToDate(output, inputsFile)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${output}.${process.pid}.tmp.mjs`;
    const result = esbuild.buildSync({
      entryPoints: [file],
      outfile: temp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['sat-source'],
      external: externalPackages(),
      metafile: true,
      logLevel: 'silent',
      // Bundled CommonJS (none today) would need `require` in an ES module.
      banner: {
        js: "import { createRequire as __satRequire } from 'node:module';\nconst require = __satRequire(import.meta.url);",
      },
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {}).map((input) => resolve(REPO, input));
    writeFileSync(inputsFile, JSON.stringify(inputs));
    renameSync(temp, output);
  }
  built.set(file, output);
  return output;
}

/** `file` relative to the repository, for messages. */
export function repoPath(file: string): string {
  return relative(REPO, file);
}
