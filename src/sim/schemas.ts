import { z } from 'zod';

/**
 * Request bodies of the OpenAI-compatible endpoints. Loose objects: clients send many parameters the
 * simulator accepts and ignores (top_k, logit_bias, tools, ...), as vLLM does.
 */
const count = z.number().int().min(1);
const Stop = z.union([z.string(), z.array(z.string()).max(64)]).nullish();

const Sampling = {
  model: z.string().max(512).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: count.nullish(),
  n: count.nullish(),
  stop: Stop,
  temperature: z.number().min(0).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  ignore_eos: z.boolean().nullish(),
  min_tokens: z.number().int().min(0).nullish(),
};

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });
const ChatMessage = z.looseObject({
  role: z.string().min(1).max(64),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
});

export const ChatCompletionRequest = z.looseObject({
  ...Sampling,
  messages: z.array(ChatMessage).min(1),
  max_completion_tokens: count.nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const TokenIds = z.array(z.number().int().min(0)).min(1);

export const CompletionRequest = z.looseObject({
  ...Sampling,
  prompt: z.union([z.string(), z.array(z.string()).length(1), TokenIds, z.array(TokenIds).length(1)]),
  echo: z.boolean().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

export const EmbeddingRequest = z.looseObject({
  model: z.string().max(512).nullish(),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(4096),
    TokenIds,
    z.array(TokenIds).min(1).max(4096),
  ]),
  dimensions: z.number().int().min(1).max(65_536).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

export const RerankRequest = z.looseObject({
  model: z.string().max(512).nullish(),
  query: z.string(),
  documents: z.array(z.union([z.string(), z.looseObject({ text: z.string() })])).max(10_000),
  top_n: z.number().int().min(0).nullish(),
  return_documents: z.boolean().nullish(),
});
export type RerankRequest = z.infer<typeof RerankRequest>;

/** One line saying what is wrong with a body, e.g. `messages.0.role: Invalid input`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request body';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
