import { describe, expect, it } from 'vitest';
import { GIB } from '../../core/domain/index.js';
import { parseGpuMode } from './gpu-mode.js';
import { GpuInventory, simulatedGpus } from './gpus.js';

describe('parseGpuMode', () => {
  it('parses auto, none and simulated sets', () => {
    expect(parseGpuMode('auto')).toEqual({ kind: 'auto' });
    expect(parseGpuMode('none')).toEqual({ kind: 'none' });
    expect(parseGpuMode('sim:2x80GiB')).toEqual({ kind: 'sim', memoryBytes: [80 * GIB, 80 * GIB] });
    expect(parseGpuMode('sim:1x24GiB,1x80GiB')).toEqual({ kind: 'sim', memoryBytes: [24 * GIB, 80 * GIB] });
    expect(parseGpuMode('sim:40GiB')).toEqual({ kind: 'sim', memoryBytes: [40 * GIB] });
  });

  it.each([
    'gpu',
    'sim:',
    'sim:2x',
    'sim:0x80GiB',
    'sim:2x0GiB',
    'sim:2x80Gibbons',
    'sim:100x1GiB',
    'sim:-1x8GiB',
  ])('rejects %s', (raw) => {
    expect(() => parseGpuMode(raw)).toThrow(/--gpus/);
  });
});

describe('simulated GPUs', () => {
  it('report memory reserved by engines and a small utilisation', () => {
    const gpus = simulatedGpus('n1', [80 * GIB, 24 * GIB], new Map([[1, { bytes: 20 * GIB, engines: 2 }]]));
    expect(gpus[0]).toMatchObject({
      index: 0,
      memory_used_bytes: 0,
      utilization_percent: 0,
      uuid: 'SIM-n1-0',
    });
    expect(gpus[1]).toMatchObject({
      index: 1,
      memory_total_bytes: 24 * GIB,
      memory_used_bytes: 20 * GIB,
      utilization_percent: 6,
    });
  });

  it('never report more used than total', () => {
    const gpus = simulatedGpus('n1', [8 * GIB], new Map([[0, { bytes: 20 * GIB, engines: 1 }]]));
    expect(gpus[0]?.memory_used_bytes).toBe(8 * GIB);
  });
});

describe('GpuInventory', () => {
  it('falls back to no GPUs when nvidia-smi is absent, and keeps the last reading when it fails', async () => {
    let answer: 'absent' | 'ok' | 'fail' = 'absent';
    const inv = new GpuInventory(
      'n1',
      { kind: 'auto' },
      () => new Map(),
      undefined,
      async () => {
        if (answer === 'absent') return { found: false };
        if (answer === 'fail') throw new Error('driver gone');
        return { found: true, gpus: simulatedGpus('x', [16 * GIB], new Map()), errors: [] };
      },
    );
    expect(await inv.refresh()).toEqual({ gpus: [], source: 'none' });
    answer = 'ok';
    expect((await inv.refresh()).gpus).toHaveLength(1);
    answer = 'fail';
    const kept = await inv.refresh();
    expect(kept.gpus).toHaveLength(1);
    expect(kept.source).toBe('nvidia-smi');
    expect(inv.totalMemoryOf([0])).toBe(16 * GIB);
    expect(inv.totalMemoryOf([3])).toBe(0);
  });
});
