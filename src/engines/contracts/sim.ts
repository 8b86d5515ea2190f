import {
  HEALTH_READINESS,
  LISTENER,
  envPolicy,
  flagTable,
  managed,
  type EngineContract,
} from '../contract.js';
import { VLLM_METRIC_NAMES } from './vllm.js';

/**
 * The simulator's contract: `nebula engine-sim` (src/cli/role-engine-sim.ts, commander: `--x=v` works, no
 * abbreviations). Its flags are Nebula's own, so the list is exact; a test compares it with the command.
 */
export const SIM_CONTRACT: EngineContract = {
  engine: 'sim',
  release: 'nebula engine-sim (this build)',
  source: 'src/cli/role-engine-sim.ts',
  dialect: {
    equalsForm: true,
    attachedShortValue: false,
    underscoresAsDashes: false,
    prefixAbbreviations: false,
  },
  flags: flagTable(`
    --model 1
    --port 1
    --host 1
    --served-model-name 1
    --max-model-len 1
    --ttft-ms 1
    --itl-ms 1
    --max-num-seqs 1
    --max-waiting 1
    --kv-blocks 1
    --block-size 1
    --startup-ms 1
    --fail-rate 1
    --mode 1
    --max-tokens-default 1
    --embedding-dim 1
    --shutdown-grace-ms 1
    --log-level 1
    -h --help 0
  `),
  refused: {
    '--model': managed('the model comes from model_name'),
    '--host': LISTENER,
    '--port': LISTENER,
    '--served-model-name': managed('set served_model_name'),
    '--max-model-len': managed('set engine_config.max_model_len'),
    '--help': { kind: 'denied', reason: 'it makes the simulator print its help and exit' },
  },
  env: envPolicy({ allowed: [/^NEBULA_LOG_LEVEL$/] }),
  readiness: HEALTH_READINESS,
  metricNames: VLLM_METRIC_NAMES,
};
