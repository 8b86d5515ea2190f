/**
 * The fake hub in its own process for the download benchmark (so the server does not share an event loop
 * with the client under test). argv: <sizeMiB>. Prints `{"url": ...}` on stdout once listening; the
 * benchmark fetches the digests itself through the API.
 */
import { startFakeHub } from '../../test/fake-hub/index.js';

const sizeMiB = Number(process.argv[2] ?? '1024');
const hub = await startFakeHub({
  models: [
    {
      id: 'bench/big-model',
      files: [
        { path: 'config.json', content: '{"model_type":"llama"}' },
        { path: 'model.safetensors', size: sizeMiB * 1024 * 1024 },
      ],
    },
  ],
});
// Digests are computed lazily: compute them before announcing the URL so no timed request pays for them.
for (const f of hub.repo('bench/big-model')?.files ?? []) f.digests();
process.stdout.write(`${JSON.stringify({ url: hub.url })}\n`);
const stop = () => void hub.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
