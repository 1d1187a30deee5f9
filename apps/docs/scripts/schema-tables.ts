/**
 * Markdown tables of TypeBox schemas (field, type, required, what it is), generated from the
 * schemas themselves so a new field or event type shows up on the data formats page by itself.
 */
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';

/** One row of a schema table. */
export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
}

type Schema = TSchema & Record<string | symbol, unknown>;

const literal = (value: unknown): string => JSON.stringify(value);

function bounds(schema: Schema): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined) parts.push(`>= ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`<= ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.minLength !== 1) parts.push(`length >= ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`length <= ${schema.maxLength}`);
  if (schema.minItems !== undefined) parts.push(`items >= ${schema.minItems}`);
  if (schema.maxItems !== undefined) parts.push(`items <= ${schema.maxItems}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const KINDS: Record<string, (schema: Schema) => string> = {
  String: (schema) =>
    `${schema.minLength === 1 ? 'non-empty string' : 'string'}${schema.pattern ? ' (pattern)' : ''}${bounds(schema)}`,
  Number: (schema) => `number${bounds(schema)}`,
  Integer: (schema) => `integer${bounds(schema)}`,
  Boolean: () => 'boolean',
  Null: () => 'null',
  Unknown: () => 'any',
  Any: () => 'any',
  Literal: (schema) => literal(schema.const),
  Record: () => 'object (free-form)',
  Object: () => 'object',
  Array: (schema) => `${typeName(schema.items as Schema)}[]${bounds(schema)}`,
  Union: (schema) => (schema.anyOf as Schema[]).map(typeName).join(' \\| '),
};

/** A short type of `schema` for a table cell (`non-empty string`, `integer (>= 0)`, `"a" \| "b"`). */
export function typeName(schema: Schema): string {
  const kind = String(schema[Kind]);
  return KINDS[kind]?.(schema) ?? kind.toLowerCase();
}

/** Every field of an object schema, nested objects (and arrays of objects) as dotted paths. */
export function fieldRows(schema: Schema, prefix = ''): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    const row = {
      path,
      type: typeName(field),
      required: required.has(name) && field[OptionalKind] !== 'Optional',
    };
    const inner = field[Kind] === 'Array' ? (field.items as Schema) : field;
    const nested =
      inner[Kind] === 'Object' ? fieldRows(inner, `${path}${field[Kind] === 'Array' ? '[]' : ''}.`) : [];
    return [row, ...nested];
  });
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown table of `schema`, with each field's description from `describe` (by dotted path). */
export function schemaTable(schema: TSchema, describe: (path: string) => string | undefined): string {
  const rows = fieldRows(schema as Schema).map((row) => {
    const what = describe(row.path.replace(/\[\]/g, '')) ?? '';
    return `| \`${row.path}\` | ${row.type} | ${row.required ? 'yes' : 'no'} | ${cell(what)} |`;
  });
  return ['| field | type | required | what it is |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
