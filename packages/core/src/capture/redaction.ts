import type { SatConfig } from '../config/config-schema.js';
import { loadRedactSalt } from '../redact/redact-salt.js';
import { createRedactor, type Redactor } from '../redact/redactor.js';

const redactors = new Map<string, Redactor>();

/**
 * The redactor every capture path applies before an event is stored: `config.redact` with this
 * install's salt (`<credentials>/redact-salt`, created on first use), so one secret gets the same
 * marker in hook events, imported transcripts and `sat log`. Cached per settings.
 *
 * @example
 * const { value } = configRedactor(config).redactValue(payload.tool_input);
 */
export function configRedactor(config: SatConfig): Redactor {
  const key = `${config.paths.credentials}\n${JSON.stringify(config.redact)}`;
  let redactor = redactors.get(key);
  if (!redactor) {
    const salt = config.redact.enabled ? loadRedactSalt(config.paths.credentials) : undefined;
    redactor = createRedactor(config.redact, salt === undefined ? {} : { salt });
    redactors.set(key, redactor);
  }
  return redactor;
}

/**
 * An event's payload with its secrets replaced by `[REDACTED:<rule>:<hash>]` markers (a copy
 * where anything changed; the same object when nothing did or redaction is off).
 *
 * @example
 * writer.append({ ...event, data: redactPayload(redactor, event.data) });
 */
export function redactPayload<T>(redactor: Redactor | undefined, data: T): T {
  if (!redactor?.enabled) return data;
  return redactor.redactValue(data).value;
}
