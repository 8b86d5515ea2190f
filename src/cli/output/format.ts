/** `-o table|json|yaml`: json and yaml print the full objects as the API returned them. */
import { stringify } from 'yaml';
import { UsageError } from '../errors.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string | undefined): OutputFormat {
  const v = (value ?? 'table').toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new UsageError(`--output must be one of ${OUTPUT_FORMATS.join(', ')} (got "${value}")`);
}

/** The machine-readable text of `data`, ending with a newline. */
export function serialize(data: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  // lineWidth 0: never fold long strings, so values copy-paste back into files unchanged.
  return stringify(data, { lineWidth: 0 });
}
