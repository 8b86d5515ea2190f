import { runLoad } from './loadgen.js';
const [port, mode, c, d] = process.argv.slice(2).filter((a) => a !== '--');
console.log(JSON.stringify(await runLoad({ url: `http://127.0.0.1:${port}/v1/chat/completions`, mode: mode as 'stream', concurrency: Number(c), durationS: Number(d), warmupS: 1 })));
