import type { DesiredReplica } from './desired.js';
import {
  type LaunchSpec,
  EngineProcess,
  nextLogNumber,
  pruneReplicaLogs,
  replicaLogDir,
  replicaLogPath,
} from '../engine/index.js';
import { AGENT_MARKER_ENV, REPLICA_MARKER_ENV } from './replica-types.js';

export interface EngineLaunchRequest {
  dataDir: string;
  replica: DesiredReplica;
  /** Restarts so far: the log of this launch is `<n>.log` with n at least this. */
  restarts: number;
  launch: LaunchSpec;
  /** Environment from the model files (HF_HOME...), under the adapter's own. */
  filesEnv: Record<string, string>;
  keepLogs: number;
}

/**
 * Spawns one engine: the agent's environment, then the model files', then the adapter's, then the
 * markers that let a later agent recognise the process as ours (orphan scan). Output goes to a new
 * numbered log file of the replica; old logs beyond `keepLogs` are removed.
 */
export async function launchEngine(req: EngineLaunchRequest): Promise<EngineProcess> {
  const { replica: d } = req;
  const dir = replicaLogDir(req.dataDir, d.modelUid, d.replicaId);
  const logPath = replicaLogPath(req.dataDir, d.modelUid, d.replicaId, nextLogNumber(dir, req.restarts));
  const proc = await EngineProcess.spawn({
    command: req.launch.command,
    argv: req.launch.argv,
    env: {
      ...definedEnv(process.env),
      ...req.filesEnv,
      ...req.launch.env,
      [AGENT_MARKER_ENV]: req.dataDir,
      [REPLICA_MARKER_ENV]: d.key,
    },
    logPath,
  });
  pruneReplicaLogs(dir, req.keepLogs);
  return proc;
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
