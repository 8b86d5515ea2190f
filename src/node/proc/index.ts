/** What the agent reads from `/proc`: process identity (pid + start time), environment, listening ports. */
export {
  isSameProcessAlive,
  listPids,
  readProcCmdline,
  readProcEnviron,
  readProcStat,
  signalSafe,
  type ProcStat,
} from './proc.js';
export { foreignPortsInRange, listeningTcpPorts } from './ports-in-use.js';
