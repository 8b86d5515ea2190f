import type { Command } from 'commander';
import type { ServerCliFlags } from '../server/run-server.js';
import { examplesText } from './define.js';

/** `nebula server`: the control API and web console. */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the control API (v1 + v2, catalog, auth, audit, OpenAPI docs) and the web console')
    .option('--etcd <urls>', 'etcd client URLs, comma-separated (env NEBULA_ETCD)')
    .option('--etcd-namespace <prefix>', 'key prefix shared by this cluster (env NEBULA_ETCD_NAMESPACE)')
    .option('--port <port>', 'HTTP port (env NEBULA_SERVER_PORT; default 8080)')
    .option('--host <host>', 'interface to listen on (env NEBULA_SERVER_HOST; default 0.0.0.0)')
    .option(
      '--router-url <url>',
      'router base URL for metrics and health (env NEBULA_ROUTER_URL; default: the registered router)',
    )
    .option(
      '--hf-endpoint <url>',
      'Hugging Face base URL or mirror (env HF_ENDPOINT; default https://huggingface.co)',
    )
    .option(
      '--modelscope-endpoint <url>',
      'ModelScope base URL (env MODELSCOPE_ENDPOINT; default https://modelscope.cn)',
    )
    .option('--data-dir <dir>', 'where admin.key is written on first start (env NEBULA_DATA_DIR)')
    .option('--web-dir <dir>', 'web console assets (env NEBULA_WEB_DIR; default dist/web)')
    .option('--node-token <token>', 'bearer token for node admin APIs (env NEBULA_NODE_TOKEN)')
    .option('--instance-id <id>', 'id under /components/server/ (env NEBULA_SERVER_INSTANCE_ID)')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (only behind your own proxy)')
    .addHelpText(
      'after',
      examplesText([
        'nebula server --etcd http://10.0.0.1:2379 --data-dir /var/lib/nebula',
        'nebula server --etcd http://127.0.0.1:2379 --port 8080 --router-url http://127.0.0.1:8000',
        'HF_ENDPOINT=https://hf-mirror.com nebula server --etcd http://127.0.0.1:2379',
      ]) +
        '\nOn the first start it creates the admin user and prints its password once; with --data-dir it\n' +
        'writes an admin API key to <data-dir>/admin.key (mode 0600). Secrets: NEBULA_JWT_SECRET (optional).\n',
    )
    .action(async (flags: ServerCliFlags) => {
      const { runServer } = await import('../server/run-server.js');
      const { NebulaError } = await import('../core/errors.js');
      try {
        await runServer(flags);
      } catch (err) {
        if (!(err instanceof NebulaError) || !/^INVALID|^CONFIG/.test(err.code)) throw err;
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
