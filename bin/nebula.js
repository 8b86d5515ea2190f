#!/usr/bin/env node
// Tiny launcher: the compiled CLI lives in dist/ (npm run build).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`nebula: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
