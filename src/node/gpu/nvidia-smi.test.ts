import { describe, expect, it } from 'vitest';
import { NVIDIA_SMI_ARGS, parseNvidiaSmiCsv, runNvidiaSmi } from './nvidia-smi.js';

const MIB = 1024 * 1024;

// Captured from `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` on an 8 x H100 and an A100 host,
// plus the placeholders nvidia-smi prints for values a device does not report.
const H100 = `0, NVIDIA H100 80GB HBM3, GPU-8e3b4a4c-1f2d-4c1e-9b6a-3f5d2e1c0b9a, 81559, 74121, 97, 61
1, NVIDIA H100 80GB HBM3, GPU-1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809, 81559, 0, 0, 33
`;
const A100_NA = `0, NVIDIA A100-SXM4-40GB, GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, 40960, 3, [Not Supported], [N/A]\r
`;

describe('parseNvidiaSmiCsv', () => {
  it('parses every column with MiB -> bytes', () => {
    const { gpus, errors } = parseNvidiaSmiCsv(H100);
    expect(errors).toEqual([]);
    expect(gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-8e3b4a4c-1f2d-4c1e-9b6a-3f5d2e1c0b9a',
        memory_total_bytes: 81559 * MIB,
        memory_used_bytes: 74121 * MIB,
        utilization_percent: 97,
        temperature_c: 61,
      },
      {
        index: 1,
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809',
        memory_total_bytes: 81559 * MIB,
        memory_used_bytes: 0,
        utilization_percent: 0,
        temperature_c: 33,
      },
    ]);
  });

  it('treats [N/A] and [Not Supported] as unknown and tolerates CRLF', () => {
    const { gpus, errors } = parseNvidiaSmiCsv(A100_NA);
    expect(errors).toEqual([]);
    expect(gpus).toHaveLength(1);
    expect(gpus[0]?.utilization_percent).toBe(0);
    expect(gpus[0]).not.toHaveProperty('temperature_c');
    expect(gpus[0]?.memory_used_bytes).toBe(3 * MIB);
  });

  it('keeps a name that contains a comma', () => {
    const { gpus } = parseNvidiaSmiCsv('2, Tesla V100, PCIe, GPU-x, 16384, 10, 5, 40\n');
    expect(gpus[0]?.name).toBe('Tesla V100, PCIe');
    expect(gpus[0]?.index).toBe(2);
    expect(gpus[0]?.uuid).toBe('GPU-x');
  });

  it('sorts by index and reports lines it cannot use', () => {
    const text = `1, B, GPU-b, 1024, 0, 0, 30\nNo devices were found\n0, A, GPU-a, 2048, 0, 0, 30\nx, C, GPU-c, [N/A], 0, 0, 0\n`;
    const { gpus, errors } = parseNvidiaSmiCsv(text);
    expect(gpus.map((g) => g.index)).toEqual([0, 1]);
    expect(errors).toHaveLength(2);
  });

  it('parses empty output as no GPUs', () => {
    expect(parseNvidiaSmiCsv('')).toEqual({ gpus: [], errors: [] });
  });

  it('asks nvidia-smi for exactly the parsed columns', () => {
    expect(NVIDIA_SMI_ARGS[0]).toBe(
      '--query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu',
    );
    expect(NVIDIA_SMI_ARGS[1]).toBe('--format=csv,noheader,nounits');
  });

  it('reports a missing binary as "not found"', async () => {
    await expect(runNvidiaSmi('/nonexistent/nvidia-smi')).resolves.toEqual({ found: false });
  });

  it('rejects when nvidia-smi fails', async () => {
    await expect(runNvidiaSmi('/bin/false')).rejects.toThrow(/nvidia-smi failed/);
  });
});
