import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONFIG_FILE_NAME, type ConfigFile, loadConfig, type SatConfig } from '@sat/core';

/**
 * Changes keys of the config file (`config.configFile`, else `<root>/sat.config.json`) and keeps
 * every other key as it was. The result is checked by loading it before it replaces the file
 * (atomically), so a change that would make the config invalid leaves the file untouched.
 * Returns the file written.
 *
 * @example
 * updateConfigFile(config, (file) => ({ ...file, backup: { ...file.backup, target: 'gdrive' } }));
 */
export function updateConfigFile(config: SatConfig, change: (file: ConfigFile) => ConfigFile): string {
  const file = config.configFile ?? join(config.root, CONFIG_FILE_NAME);
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ConfigFile) : {};
  const next = change(current);
  const text = `${JSON.stringify(next, null, 2)}\n`;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  try {
    // Throws INVALID_CONFIG naming the key before anything is replaced.
    loadConfig({ root: config.root, configFile: temp, cwd: config.projectDir, env: {} });
    renameSync(temp, file);
  } catch (error) {
    try {
      renameSync(temp, `${temp}.rejected`);
    } catch {}
    throw error;
  }
  return file;
}
