// Copies non-TypeScript runtime assets (proto files) next to the compiled output.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoSrc = join(root, 'proto');
if (existsSync(protoSrc)) {
  mkdirSync(join(root, 'dist', 'proto'), { recursive: true });
  cpSync(protoSrc, join(root, 'dist', 'proto'), { recursive: true });
}
