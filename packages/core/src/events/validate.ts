import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { SatError } from '../errors.js';
import { describeValue, schemaErrors } from '../schema-errors.js';
import { type AnySatEvent, EnvelopeSchema, isRealIsoTime } from './envelope.js';
import { EVENT_TYPES, type EventType, PAYLOAD_VERSIONS, type PayloadVersion } from './payloads.js';

interface CompiledType {
  current: number;
  versions: Array<{ check: TypeCheck<TSchema>; upgrade?: PayloadVersion['upgrade'] }>;
}

/**
 * Validates payloads and stored events against every known schema version, and upgrades old
 * payloads to the current shape. Build one per process (compilation costs a few ms).
 *
 * @example
 * const schemas = new EventSchemas();
 * schemas.checkPayload('tool_usage', { tool: 'Bash', success: true });
 */
export class EventSchemas {
  private readonly types = new Map<string, CompiledType>();
  private readonly envelope = TypeCompiler.Compile(EnvelopeSchema);

  constructor(table: { readonly [type: string]: readonly PayloadVersion[] } = PAYLOAD_VERSIONS) {
    for (const [type, versions] of Object.entries(table)) {
      this.types.set(type, {
        current: versions.length,
        versions: versions.map((version) => ({
          check: TypeCompiler.Compile(version.schema),
          upgrade: version.upgrade,
        })),
      });
    }
  }

  /** The types this registry knows. */
  get knownTypes(): string[] {
    return [...this.types.keys()];
  }

  /** The version new events of `type` are written with. */
  currentVersion(type: string): number {
    return this.compiled(type).current;
  }

  private compiled(type: string): CompiledType {
    const compiled = this.types.get(type);
    if (!compiled) {
      throw new SatError(
        'UNKNOWN_EVENT_TYPE',
        `[core] unknown event type ${describeValue(type)}: use one of ${EVENT_TYPES.join(', ')}`,
        { details: { type } },
      );
    }
    return compiled;
  }

  /**
   * Throws `INVALID_EVENT` naming the field and the reason unless `data` is a valid current
   * payload of `type`; throws `UNKNOWN_EVENT_TYPE` for a type it does not know.
   */
  checkPayload(type: string, data: unknown): void {
    const compiled = this.compiled(type);
    const check = compiled.versions[compiled.current - 1]!.check;
    if (check.Check(data)) return;
    const reasons = schemaErrors(check, data, 'data');
    throw new SatError('INVALID_EVENT', `[core] invalid ${type} event: ${reasons.join('; ')}`, {
      details: { type, reasons },
    });
  }

  /**
   * Checks a stored event (envelope and payload, at the version it was written with) and
   * returns it with its payload upgraded to the current version.
   */
  readStored(value: unknown): AnySatEvent {
    if (!this.envelope.Check(value)) {
      const reasons = schemaErrors(this.envelope, value);
      throw new SatError('INVALID_EVENT', `[core] invalid event envelope: ${reasons.join('; ')}`, {
        details: { reasons },
      });
    }
    const event = value as AnySatEvent & { data: Record<string, unknown> };
    if (!isRealIsoTime(event.ts)) {
      const reasons = [`ts: ${JSON.stringify(event.ts)} is not a real date and time`];
      throw new SatError('INVALID_EVENT', `[core] invalid event envelope: ${reasons[0]}`, {
        details: { reasons },
      });
    }
    const compiled = this.compiled(event.type);
    if (event.v > compiled.current) {
      throw new SatError(
        'UNKNOWN_EVENT_TYPE',
        `[core] ${event.type} event ${event.id} has schema version ${event.v}, newer than this sat knows (${compiled.current}): upgrade sat`,
        { details: { type: event.type, v: event.v } },
      );
    }
    const version = compiled.versions[event.v - 1]!;
    if (!version.check.Check(event.data)) {
      const reasons = schemaErrors(version.check, event.data, 'data');
      throw new SatError(
        'INVALID_EVENT',
        `[core] invalid ${event.type} v${event.v} event ${event.id}: ${reasons.join('; ')}`,
        {
          details: { type: event.type, reasons },
        },
      );
    }
    if (event.v === compiled.current) return event;
    let data: Record<string, unknown> = event.data;
    for (let v = event.v; v < compiled.current; v++) {
      const upgrade = compiled.versions[v - 1]!.upgrade;
      if (!upgrade)
        throw new SatError('INVALID_EVENT', `[core] no upgrade from ${event.type} v${v} to v${v + 1}`);
      data = upgrade(data);
    }
    return { ...event, v: compiled.current, data } as AnySatEvent;
  }
}

let shared: EventSchemas | undefined;
/** The process-wide registry of the built-in schemas. */
export function eventSchemas(): EventSchemas {
  shared ??= new EventSchemas();
  return shared;
}

export type { EventType };
