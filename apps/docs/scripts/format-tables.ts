/**
 * The generated blocks of the data formats page: the event types, the envelope, each payload
 * (current version) and the backup and archive manifests, all from core's TypeBox schemas and
 * the JSDoc beside them.
 */
import { join } from 'node:path';
import {
  ArchiveManifestSchema,
  BackupManifestSchema,
  CAPTURE_EVENT_TYPES,
  EVENT_TYPES,
  LIFECYCLE_EVENT_TYPES,
  PAYLOAD_VERSIONS,
  ROADMAP_EVENT_TYPES,
} from '@sat/core';
import type { TSchema } from '@sinclair/typebox';
import { EnvelopeSchema } from '../../../packages/core/src/events/envelope.ts';
import * as payloadModule from '../../../packages/core/src/events/payloads.ts';
import type { BlockGenerator } from './generated-blocks.ts';
import { type SchemaDocs, schemaDocs } from './schema-source.ts';
import { schemaTable } from './schema-tables.ts';
import { REPO } from './site-paths.ts';

const CORE = join(REPO, 'packages/core/src');

/**
 * A describer of the fields of constant `primary`: the field's own comment, else, through the
 * constant its schema names (`bundle: StoredObjectSchema`, `bytes: Bytes`), that constant's field
 * comment or its own summary.
 */
function describer(all: Map<string, SchemaDocs>, primary: string): (path: string) => string | undefined {
  const describe = (constant: string, path: string, depth: number): string | undefined => {
    const docs = all.get(constant);
    if (!docs || depth > 4) return undefined;
    const own = docs.fields.get(path);
    if (own) return own;
    const parts = path.split('.');
    for (let cut = parts.length; cut > 0; cut -= 1) {
      const ref = docs.refs.get(parts.slice(0, cut).join('.'));
      if (!ref) continue;
      const rest = parts.slice(cut).join('.');
      return rest ? describe(ref, rest, depth + 1) : all.get(ref)?.summary || undefined;
    }
    return undefined;
  };
  return (path) => describe(primary, path, 0);
}

function schemaName(schema: unknown): string | undefined {
  return Object.entries(payloadModule).find(([, value]) => value === schema)?.[0];
}

function groupOf(type: string): string {
  if ((ROADMAP_EVENT_TYPES as readonly string[]).includes(type)) return 'agent work';
  if ((LIFECYCLE_EVENT_TYPES as readonly string[]).includes(type)) return 'session lifecycle';
  if ((CAPTURE_EVENT_TYPES as readonly string[]).includes(type)) return 'capture';
  return 'other';
}

const payloadDocs = () => schemaDocs(join(CORE, 'events/payloads.ts'));

const eventTypes: BlockGenerator = () => {
  const docs = payloadDocs();
  const rows = EVENT_TYPES.map((type) => {
    const versions = PAYLOAD_VERSIONS[type];
    const name = schemaName(versions[versions.length - 1]?.schema) ?? '';
    const summary = (docs.get(name)?.summary ?? '').split('. ')[0] ?? '';
    return `| [\`${type}\`](#${type}) | ${groupOf(type)} | ${versions.length} | ${summary.replace(/\|/g, '\\|')} |`;
  });
  return ['| type | group | current `v` | what it records |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
};

const payloads: BlockGenerator = () => {
  const docs = payloadDocs();
  return EVENT_TYPES.map((type) => {
    const versions = PAYLOAD_VERSIONS[type];
    const current = versions[versions.length - 1];
    if (!current) throw new Error(`[docs] PAYLOAD_VERSIONS.${type} has no version`);
    const name = schemaName(current.schema) ?? '';
    const summary = docs.get(name)?.summary ?? '';
    return [
      `### \`${type}\``,
      '',
      `${summary}${summary ? ' ' : ''}Current version: \`v: ${versions.length}\` (schema \`${name}\`).`,
      '',
      schemaTable(current.schema, describer(docs, name)),
    ].join('\n');
  }).join('\n\n');
};

const envelope: BlockGenerator = () =>
  schemaTable(EnvelopeSchema, describer(schemaDocs(join(CORE, 'events/envelope.ts')), 'SatEvent'));

const manifest =
  (file: string, constant: string, schema: TSchema): BlockGenerator =>
  () => {
    const docs = new Map([
      ...schemaDocs(join(CORE, file)),
      ...schemaDocs(join(CORE, 'backup/parse-checked-manifest.ts')),
    ]);
    return schemaTable(schema, describer(docs, constant));
  };

/** The generators of the data formats page, by block name. */
export const FORMAT_BLOCKS: Readonly<Record<string, BlockGenerator>> = {
  'event-types': eventTypes,
  'event-envelope': envelope,
  'event-payloads': payloads,
  'backup-manifest': manifest('backup/backup-manifest.ts', 'BackupManifestSchema', BackupManifestSchema),
  'archive-manifest': manifest('archive/archive-manifest.ts', 'ArchiveManifestSchema', ArchiveManifestSchema),
};
