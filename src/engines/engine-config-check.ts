import type { EngineType } from '../core/domain/index.js';
import { checkEngineConfig, type ContractIssue } from './contract.js';
import { ENGINE_CONTRACTS } from './contracts/index.js';
import { EngineLaunchError } from './errors.js';

/**
 * THE check of a spec's `engine_config.extra_args` and `engine_config.env` against its engine's contract:
 * the server runs it before storing a spec or template, the node again right before it spawns. Pure.
 */
export function engineConfigIssues(
  engine: EngineType,
  cfg: { extra_args?: readonly string[] | undefined; env?: Readonly<Record<string, string>> | undefined },
): ContractIssue[] {
  return checkEngineConfig(ENGINE_CONTRACTS[engine], cfg);
}

/** The issues as one line: `engine_config.extra_args[2]: --host is managed by Nebula (...); ...`. */
export function formatContractIssues(issues: readonly ContractIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/** Throws EngineLaunchError ENGINE_CONFIG_REFUSED when the config breaks the contract (the node's re-check). */
export function assertEngineConfig(
  engine: EngineType,
  cfg: { extra_args?: readonly string[] | undefined; env?: Readonly<Record<string, string>> | undefined },
): void {
  const issues = engineConfigIssues(engine, cfg);
  if (issues.length > 0) {
    throw new EngineLaunchError(
      `engine_config refused by the ${engine} contract: ${formatContractIssues(issues)}`,
      'ENGINE_CONFIG_REFUSED',
    );
  }
}
