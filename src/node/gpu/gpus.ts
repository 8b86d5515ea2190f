import type { Gpu, GpuSource } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { GpuMode } from './gpu-mode.js';
import { runNvidiaSmi, type NvidiaSmiResult } from './nvidia-smi.js';

/** GPU memory Nebula's engines hold on one GPU (for simulated GPUs, that is all of their "usage"). */
export interface GpuReservation {
  bytes: number;
  engines: number;
}

/**
 * Simulated GPUs: memory used is what Nebula's running engines reserved on them, and utilisation a small
 * figure that grows with the engines sharing the GPU, so dashboards have something plausible to show.
 */
export function simulatedGpus(
  nodeId: string,
  memoryBytes: readonly number[],
  reservations: ReadonlyMap<number, GpuReservation>,
): Gpu[] {
  return memoryBytes.map((total, index) => {
    const r = reservations.get(index);
    return {
      index,
      name: `Nebula Simulated GPU (${Math.round(total / 1024 ** 3)} GiB)`,
      uuid: `SIM-${nodeId}-${index}`,
      memory_total_bytes: total,
      memory_used_bytes: Math.min(total, r?.bytes ?? 0),
      utilization_percent: Math.min(100, (r?.engines ?? 0) * 3),
    };
  });
}

/** Reads the node's GPUs each heartbeat; keeps the last good reading when nvidia-smi fails once. */
export class GpuInventory {
  private last: Gpu[] = [];
  private source: GpuSource;

  constructor(
    private readonly nodeId: string,
    private readonly mode: GpuMode,
    private readonly reservations: () => ReadonlyMap<number, GpuReservation>,
    private readonly logger?: Logger,
    private readonly smi: () => Promise<NvidiaSmiResult> = () => runNvidiaSmi(),
  ) {
    this.source = mode.kind === 'sim' ? 'simulated' : mode.kind === 'auto' ? 'nvidia-smi' : 'none';
  }

  async refresh(): Promise<{ gpus: Gpu[]; source: GpuSource }> {
    switch (this.mode.kind) {
      case 'none':
        this.last = [];
        break;
      case 'sim':
        this.last = simulatedGpus(this.nodeId, this.mode.memoryBytes, this.reservations());
        break;
      case 'auto':
        try {
          const res = await this.smi();
          if (!res.found) {
            this.source = 'none';
            this.last = [];
          } else {
            this.source = 'nvidia-smi';
            this.last = res.gpus;
            if (res.errors.length)
              this.logger?.warn({ errors: res.errors }, 'some nvidia-smi lines were not understood');
          }
        } catch (err) {
          this.logger?.warn({ err: errorMessage(err) }, 'nvidia-smi failed; keeping the last reading');
        }
        break;
    }
    return { gpus: this.last, source: this.source };
  }

  /** The last reading (no I/O). */
  current(): { gpus: Gpu[]; source: GpuSource } {
    return { gpus: this.last, source: this.source };
  }

  /** Smallest total memory among `indices` (what an engine may size its share against); 0 without GPUs. */
  totalMemoryOf(indices: readonly number[]): number {
    const totals = indices
      .map((i) => this.last.find((g) => g.index === i)?.memory_total_bytes)
      .filter((v): v is number => v !== undefined);
    return totals.length ? Math.min(...totals) : 0;
  }
}
