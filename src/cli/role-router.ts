import type { Command } from 'commander';
import type { RouterCliFlags } from '../router/cli-options.js';
import { codeMatches, roleAction } from './role-action.js';
import { examplesText } from './define.js';

/** `nebula router`: the OpenAI-compatible data plane. */
export function registerRouterCommand(program: Command): void {
  program
    .command('router')
    .description(
      'run the router: OpenAI-compatible /v1 API and gRPC over the ready replicas, with keys and limits',
    )
    .option('--etcd <urls>', 'etcd client URLs, comma-separated (env NEBULA_ETCD)')
    .option('--etcd-namespace <prefix>', 'key prefix shared by this cluster (env NEBULA_ETCD_NAMESPACE)')
    .option('--port <port>', 'HTTP port (env NEBULA_ROUTER_PORT; default 8000)')
    .option('--host <host>', 'interface to listen on (env NEBULA_ROUTER_HOST; default 0.0.0.0)')
    .option('--grpc-port <port>', 'gRPC port (env NEBULA_ROUTER_GRPC_PORT; default 8001)')
    .option('--no-grpc', 'no gRPC listener')
    .option(
      '--tokens-file <file>',
      'static tokens, YAML/JSON list of {token|sha256, name, rate_limit} (env NEBULA_TOKENS_FILE)',
    )
    .option(
      '--static-upstreams <file>',
      'engines Nebula does not manage, YAML/JSON model -> [urls] (env NEBULA_STATIC_UPSTREAMS)',
    )
    .option(
      '--upstream-url <urls>',
      'one static upstream (lite mode), comma-separated URLs (env NEBULA_UPSTREAM_URL)',
    )
    .option(
      '--upstream-model <name>',
      'model served by --upstream-url; every model when unset (env NEBULA_UPSTREAM_MODEL)',
    )
    .option(
      '--policy <policy>',
      'default routing policy: least-outstanding | round-robin | session-affinity | prefix-aware (env NEBULA_ROUTER_POLICY)',
    )
    .option('--no-auth', 'accept requests without a key (local use only; env NEBULA_NO_AUTH=1)')
    .option(
      '--rate-limit-rps <n>',
      'default requests/s per key; unlimited when unset (env NEBULA_RATE_LIMIT_RPS)',
    )
    .option('--rate-limit-burst <n>', 'default burst per key (env NEBULA_RATE_LIMIT_BURST)')
    .option('--max-body <size>', 'largest request body, e.g. 32MiB (env NEBULA_ROUTER_MAX_BODY)')
    .option('--max-retries <n>', 'other replicas tried after a failure before the first byte (default 2)')
    .option(
      '--first-byte-timeout <duration>',
      "longest wait for an engine's first response byte; a model's proxy_timeouts.first_byte overrides it (env NEBULA_ROUTER_FIRST_BYTE_TIMEOUT; default 10m)",
    )
    .option(
      '--idle-timeout <duration>',
      "longest silence inside a streamed answer; a model's proxy_timeouts.idle overrides it (env NEBULA_ROUTER_IDLE_TIMEOUT; default 60s)",
    )
    .option(
      '--hold-max <n>',
      'requests held per idle (autoscaled) model while it wakes; more get 503 + Retry-After (env NEBULA_ROUTER_HOLD_MAX; default 256, 0 = never hold)',
    )
    .option(
      '--hold-timeout <duration>',
      'longest a request waits for an idle model to wake (env NEBULA_ROUTER_HOLD_TIMEOUT; default 5m)',
    )
    .option(
      '--instance-id <id>',
      'id under /components/router/ (env NEBULA_ROUTER_INSTANCE_ID; default host-port)',
    )
    .option(
      '--advertise-address <host>',
      'address the server reaches this router at (env NEBULA_ROUTER_ADVERTISE_ADDRESS)',
    )
    .addHelpText(
      'after',
      examplesText([
        'nebula router --etcd http://10.0.0.1:2379',
        'nebula router --etcd http://127.0.0.1:2379 --port 8000 --grpc-port 8001 --policy prefix-aware',
        'nebula router --static-upstreams upstreams.yaml --tokens-file tokens.yaml',
        'NEBULA_UPSTREAM_URL=http://127.0.0.1:9000 nebula router --no-auth --host 127.0.0.1',
      ]) +
        '\nupstreams.yaml:   my-model: [http://10.0.0.5:8000, http://10.0.0.6:8000]\n' +
        'tokens.yaml:      - { token: "s3cret-token", name: ci, rate_limit: { rps: 5, burst: 10 } }\n' +
        'SIGHUP re-reads both files (they are also watched for changes).\n',
    )
    .action(
      // Bad flags, environment or config files: one line and exit 2, nothing started.
      roleAction<RouterCliFlags>(
        async () => (await import('../router/run-router.js')).runRouter,
        codeMatches(/^INVALID|CONFIG/),
      ),
    );
}
