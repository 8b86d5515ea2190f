/**
 * What a model's name and config say about its size: the parameter count parsed from names like
 * "Qwen/Qwen2.5-7B-Instruct", and the bytes each parameter takes in the dtype or quantization it runs in.
 */
import type { Dtype } from '../../core/domain/model.js';

/**
 * Parameter count in billions read from a model name, or undefined when the name does not say.
 * Looks at dash/underscore/slash separated tokens: "7B", "0.5B", "70b", "8x7B" (mixture of experts:
 * experts x size, an upper bound), and "135M" (millions) when no billions token exists. Version numbers
 * such as "2.5" in "Qwen2.5" are not tokens of their own, so they are never mistaken for a size.
 */
export function parseParamCountB(modelName: string): number | undefined {
  const tokens = modelName.split(/[-_/\s:]+/);
  let millions: number | undefined;
  for (const token of tokens) {
    const moe = /^([0-9]{1,3})x([0-9]+(?:\.[0-9]+)?)[bB]$/.exec(token);
    if (moe) return Number(moe[1]) * Number(moe[2]);
    const billions = /^([0-9]+(?:\.[0-9]+)?)[bB]$/.exec(token);
    if (billions) {
      const n = Number(billions[1]);
      if (n > 0) return n;
    }
    const m = /^([0-9]+(?:\.[0-9]+)?)[mM]$/.exec(token);
    if (m && millions === undefined && Number(m[1]) > 0) millions = Number(m[1]);
  }
  return millions === undefined ? undefined : millions / 1000;
}

/** Bytes per parameter of a dtype; `auto` and unknown mean the 16-bit checkpoints most hubs publish. */
export function bytesPerParamOfDtype(dtype: Dtype | undefined): number {
  switch (dtype) {
    case 'float32':
      return 4;
    case 'fp8':
    case 'int8':
      return 1;
    case 'int4':
      return 0.5;
    default:
      return 2;
  }
}

/**
 * Bytes per parameter implied by a quantization method or by a name that advertises one
 * ("...-AWQ", "...-GPTQ-Int4", "...-FP8", "...-8bit"), or undefined when neither says.
 */
export function bytesPerParamOfQuantization(
  quantization: string | undefined,
  modelName: string,
): number | undefined {
  const text = `${quantization ?? ''} ${modelName}`.toLowerCase();
  if (/(^|[^a-z0-9])(awq|gptq|int4|4bit|4-bit|q4[a-z0-9_]*|bnb-4bit|nf4)([^a-z0-9]|$)/.test(text)) return 0.5;
  if (/(^|[^a-z0-9])(fp8|int8|8bit|8-bit|w8a8|q8[a-z0-9_]*)([^a-z0-9]|$)/.test(text)) return 1;
  return undefined;
}
