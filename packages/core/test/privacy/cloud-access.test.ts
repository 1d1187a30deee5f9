import { describe, expect, it } from 'vitest';
import {
  assertCloudAllowed,
  assertMongoAllowed,
  isLocalMongoUrl,
  isSatError,
  loadConfig,
} from '../../src/index.js';

const config = (env: Record<string, string>) => loadConfig({ root: '/tmp/sat-cloud-access', env });

describe('local-only mode settings', () => {
  it.each([
    ['mongodb://localhost:27017/sat', true],
    ['mongodb://user:pw@127.0.0.1/sat?authSource=admin', true],
    ['mongodb://[::1]:27017', true],
    ['mongodb://localhost:27017,127.0.0.1:27018/?replicaSet=rs', true],
    ['mongodb://%2Ftmp%2Fmongodb-27017.sock', true],
    ['mongodb://db.example.net:27017', false],
    ['mongodb://localhost:27017,db.example.net:27017', false],
    ['mongodb://127.0.0.2:27017', false],
    ['mongodb+srv://localhost', false],
  ])('isLocalMongoUrl(%s) is %s', (url, local) => {
    expect(isLocalMongoUrl(url)).toBe(local);
  });

  it('SAT_LOCAL_ONLY and backup.auto local are read; the refusal names the setting and the fix', () => {
    expect(config({}).privacy.localOnly).toBe(false);
    expect(config({ SAT_BACKUP_AUTO: 'local' }).backup.auto).toBe('local');
    expect(() => config({ SAT_BACKUP_AUTO: 'sometimes' })).toThrow(/true, false or local/);
    expect(() => assertCloudAllowed(config({}), 'back up to Drive')).not.toThrow();
    const on = config({ SAT_LOCAL_ONLY: 'true' });
    let error: unknown;
    try {
      assertCloudAllowed(on, 'back up to Drive');
    } catch (caught) {
      error = caught;
    }
    expect(isSatError(error, 'LOCAL_ONLY')).toBe(true);
    expect((error as Error).message).toContain('refused to back up to Drive');
    expect((error as Error).message).toContain('unset SAT_LOCAL_ONLY');
    expect(() => assertMongoAllowed(on, 'mongodb://127.0.0.1/sat', 'open')).not.toThrow();
    expect(() => assertMongoAllowed(on, 'mongodb://team.example.net/sat', 'open')).toThrow(/local-only/);
    expect(() => assertMongoAllowed(on, undefined, 'open')).toThrow(/local-only/);
  });
});
