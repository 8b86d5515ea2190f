/** How models look in tables and in `model get` (pure renderers over the API's views). */
import type { ModelDetailView, ModelView } from '../../client/index.js';
import { formatAge, formatBytes, formatSeconds, formatNumber } from '../output/human.js';
import { colorState, type Style } from '../output/style.js';
import { renderFields, renderTable } from '../output/table.js';
import { describeRollout } from './model-revisions.js';

export function modelsTable(models: readonly ModelView[], style: Style, nowMs = Date.now()): string {
  return renderTable(
    [
      { header: 'UID', value: (m) => m.model_uid },
      { header: 'MODEL', value: (m) => m.model_name, maxWidth: 48 },
      { header: 'ENGINE', value: (m) => m.engine_type },
      { header: 'STATE', value: (m) => m.state, decorate: (t) => colorState(style, t) },
      { header: 'READY', value: (m) => `${m.ready_replicas}/${m.desired_replicas}` },
      {
        header: 'DOWNLOAD',
        value: (m) =>
          m.download && m.state === 'downloading' ? `${Math.floor(m.download.percent)}%` : undefined,
      },
      { header: 'AGE', value: (m) => formatAge(m.created_at, nowMs) },
    ],
    models,
  );
}

/** `3 (2/2 ready on it)`, with the rollout when one is under way: `3 (1/2 ready on it; updating 1/2 on r3)`. */
function revisionLine(m: ModelDetailView): string | undefined {
  if (m.revision === undefined || m.revision === null) return undefined;
  const rollout = m.rollout && m.rollout.phase !== 'complete' ? `; ${describeRollout(m) ?? ''}` : '';
  return `${m.revision} (${m.replicas_current ?? 0}/${m.ready_replicas} ready on it${rollout})`;
}

export function modelDetail(m: ModelDetailView, style: Style, nowMs = Date.now()): string {
  const spec = m.spec;
  const gpus = spec.resources.gpu_count;
  const mem = spec.resources.gpu_memory_gib === undefined ? '' : ` x ${spec.resources.gpu_memory_gib} GiB`;
  let out = renderFields([
    ['UID', m.model_uid],
    ['Model', m.model_name],
    ['Source', `${m.model_source}${spec.revision ? ` @ ${spec.revision}` : ''}`],
    ['Path', spec.model_path],
    ['Engine', m.engine_type],
    ...(spec.gguf_file !== undefined || spec.gguf_quant !== undefined
      ? ([['GGUF', spec.gguf_file ?? `quant ${spec.gguf_quant ?? ''}`]] as const)
      : []),
    ['Served name', m.served_model_name],
    ['State', `${colorState(style, m.state)}${m.state_reason ? ` (${m.state_reason})` : ''}`],
    [
      'Desired',
      m.deployment ? `${m.deployment.desired_state}, ${m.deployment.replicas} replica(s)` : 'no deployment',
    ],
    ['Ready', `${m.ready_replicas}/${m.desired_replicas}`],
    ['Revision', revisionLine(m)],
    ['GPUs/replica', `${gpus}${mem}`],
    ['Memory', m.memory_estimate?.summary],
    ...(m.memory_estimate?.parts
      ? ([
          ['  weights', m.memory_estimate.parts.weights_what],
          ['  KV cache', m.memory_estimate.parts.kv_what],
          ['  runtime', m.memory_estimate.parts.runtime_what],
        ] as const)
      : []),
    ['Engine args', spec.engine_config.extra_args.join(' ')],
    [
      'Engine env',
      Object.entries(spec.engine_config.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
    [
      'Labels',
      Object.entries(m.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
    ['Plan version', m.plan_version],
    [
      'Download',
      m.download
        ? `${formatBytes(m.download.bytes_done)} / ${formatBytes(m.download.bytes_total)} (${Math.floor(m.download.percent)}%)`
        : undefined,
    ],
    ['Created', `${m.created_at} (${formatAge(m.created_at, nowMs)} ago)`],
  ]);
  if (m.endpoints.length > 0) {
    out += '\nReplicas:\n';
    out += renderTable(
      [
        { header: 'REPLICA', value: (e) => e.replica_id },
        { header: 'NODE', value: (e) => e.node_id },
        { header: 'ADDRESS', value: (e) => `${e.address}:${e.port}` },
        { header: 'GPUS', value: (e) => e.gpu_indices.join(',') },
        { header: 'STATUS', value: (e) => e.status, decorate: (t) => colorState(style, t) },
        { header: 'RESTARTS', value: (e) => e.restarts },
        { header: 'LAST ERROR', value: (e) => e.last_error, maxWidth: 60 },
      ],
      [...m.endpoints].sort((a, b) => a.replica_id - b.replica_id),
    );
  }
  if (m.pulls && m.pulls.length > 0) {
    out += '\nPre-pull (download without starting):\n';
    out += renderTable(
      [
        { header: 'NODE', value: (p) => p.node_id },
        { header: 'STATUS', value: (p) => (p.status === 'done' && p.cached ? 'done (cached)' : p.status) },
        { header: 'BYTES', value: (p) => `${formatBytes(p.bytes_done)} / ${formatBytes(p.bytes_total)}` },
        { header: 'FILES', value: (p) => `${p.files_done}/${p.files_total}` },
        { header: 'ERROR', value: (p) => p.error, maxWidth: 60 },
      ],
      m.pulls,
    );
  }
  if (m.stats) {
    const s = m.stats;
    out += '\nTraffic:\n';
    out += renderFields([
      ['Requests', `${s.requests_total} (${s.errors_total} errors)`],
      ['Req/s', formatNumber(s.request_rate)],
      [
        'Latency p50/p99',
        `${formatSeconds(s.latency_seconds.p50)} / ${formatSeconds(s.latency_seconds.p99)}`,
      ],
      ['TTFT p50/p99', `${formatSeconds(s.ttft_seconds.p50)} / ${formatSeconds(s.ttft_seconds.p99)}`],
      ['Tokens in/out', `${s.prompt_tokens_total} / ${s.completion_tokens_total}`],
    ]);
  }
  const events = m.events.slice(-5);
  if (events.length > 0) {
    out += '\nRecent events:\n';
    out += renderTable(
      [
        { header: 'AGE', value: (e) => formatAge(e.time, nowMs) },
        { header: 'TYPE', value: (e) => e.type },
        { header: 'MESSAGE', value: (e) => e.message, maxWidth: 100 },
      ],
      events,
    );
  }
  return out;
}
