import type { EngineType } from '../core/domain/index.js';

/**
 * How an operator gets an engine onto a node, in one line: said by the scheduler when no node has a
 * model's engine and by the node agent when asked to launch an engine it does not have.
 */
export function engineInstallHint(type: EngineType): string {
  if (type === 'llamacpp') return 'install it with: nebula engine install llamacpp';
  const program = type === 'sglang' ? 'python3 (with the sglang package)' : type;
  return `install ${program} on a node and start it with --engine-bin ${type}=/path/to/${type === 'sglang' ? 'python3' : type} (or put it on the PATH)`;
}
