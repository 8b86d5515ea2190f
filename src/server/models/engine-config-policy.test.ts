import { describe, expect, it } from 'vitest';
import { MASKED_ENV_VALUE } from '../../engines/contract.js';
import { ApiError } from '../errors.js';
import { engineConfigIssues } from '../../engines/engine-config-check.js';
import { guardEngineOverrides, maskEngineEnvDeep, restoreMaskedEnv } from './engine-config-policy.js';
import { SYSTEM_TEMPLATES } from './system-templates.js';

const M = MASKED_ENV_VALUE;

describe('maskEngineEnvDeep', () => {
  const view = {
    items: [
      { spec: { engine_config: { extra_args: ['--a'], env: { HF_TOKEN: 'hf_x', OMP_NUM_THREADS: '4' } } } },
      { plan: { spec: { engine_config: { extra_args: [], env: {} } } } },
    ],
    raw: '{"engine_config":{"env":{"HF_TOKEN":"kept in strings (backups)"}}}',
  };

  it('masks secret names for operators and admins, every value for viewers and anonymous callers', () => {
    const op = maskEngineEnvDeep(view, 'operator');
    expect(op.items[0]?.spec?.engine_config.env).toEqual({ HF_TOKEN: M, OMP_NUM_THREADS: '4' });
    expect(maskEngineEnvDeep(view, 'admin').items[0]?.spec?.engine_config.env).toEqual({
      HF_TOKEN: M,
      OMP_NUM_THREADS: '4',
    });
    for (const role of ['viewer', undefined] as const)
      expect(maskEngineEnvDeep(view, role).items[0]?.spec?.engine_config.env).toEqual({
        HF_TOKEN: M,
        OMP_NUM_THREADS: M,
      });
    expect(op.raw).toBe(view.raw);
    // The input is never changed; what needs no mask is shared, not copied.
    expect(view.items[0]?.spec?.engine_config.env.HF_TOKEN).toBe('hf_x');
    expect(op.items[1]).toBe(view.items[1]);
    const plain = { items: [{ a: 1 }] };
    expect(maskEngineEnvDeep(plain, 'viewer')).toBe(plain);
  });
});

describe('guardEngineOverrides', () => {
  const stored = { extra_args: ['--max-num-seqs', '8'], env: { HF_TOKEN: 'hf_x' } };
  const refused = (f: () => void) => {
    try {
      f();
    } catch (err) {
      return err instanceof ApiError && err.status === 403 ? err.message : `unexpected ${String(err)}`;
    }
    return undefined;
  };

  it('lets everyone through with "operators", and admins with "admins"', () => {
    expect(
      refused(() => guardEngineOverrides('operators', 'operator', { extra_args: ['--x'] })),
    ).toBeUndefined();
    expect(refused(() => guardEngineOverrides('admins', 'admin', { env: { A: '1' } }))).toBeUndefined();
  });

  it('refuses operators anything beyond empty or unchanged with "admins"', () => {
    expect(
      refused(() => guardEngineOverrides('admins', 'operator', { extra_args: [], env: {} })),
    ).toBeUndefined();
    expect(refused(() => guardEngineOverrides('admins', 'operator', { extra_args: ['--x'] }))).toMatch(
      /^engine_config\.extra_args: the cluster setting engine_overrides is "admins"/,
    );
    expect(refused(() => guardEngineOverrides('admins', 'operator', { env: { A: '1' } }))).toMatch(
      /^engine_config\.env:/,
    );
    // Sending back what is stored (secrets as the placeholder) is not a change.
    expect(
      refused(() =>
        guardEngineOverrides(
          'admins',
          'operator',
          { extra_args: ['--max-num-seqs', '8'], env: { HF_TOKEN: M } },
          stored,
        ),
      ),
    ).toBeUndefined();
    expect(
      refused(() => guardEngineOverrides('admins', 'operator', { env: { HF_TOKEN: 'other' } }, stored)),
    ).toMatch(/engine_config\.env/);
  });

  it('restoreMaskedEnv keeps stored values for the placeholder and leaves unknown placeholders', () => {
    expect(restoreMaskedEnv({ HF_TOKEN: M, X: M, Y: 'y' }, { HF_TOKEN: 'hf_x' })).toEqual({
      HF_TOKEN: 'hf_x',
      X: M,
      Y: 'y',
    });
  });
});

describe('built-in templates', () => {
  it('every one passes its engine contract (they deploy as shipped)', () => {
    for (const t of SYSTEM_TEMPLATES)
      expect(engineConfigIssues(t.spec.engine_type, t.spec.engine_config), t.template_id).toEqual([]);
  });
});
