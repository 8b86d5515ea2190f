/** The node's GPUs: how the agent learns them (nvidia-smi, simulated, none) and what Nebula reserved on each. */
export { parseGpuMode, type GpuMode } from './gpu-mode.js';
export { GpuInventory, simulatedGpus, type GpuReservation } from './gpus.js';
export { parseNvidiaSmiCsv, runNvidiaSmi, NVIDIA_SMI_ARGS, type NvidiaSmiResult } from './nvidia-smi.js';
