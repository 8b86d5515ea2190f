import { z } from 'zod';

/** `{"error":{"code","message","details"}}`: the body of every error response. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/**
 * The store revision an object was read at. Send it back (If-Match header or `resource_version` in the
 * body) to update only if nobody changed the object since (409 CONFLICT otherwise).
 */
export const ResourceVersion = z.number().int().min(0);

/** Optional `resource_version` accepted in update bodies. */
export const WithResourceVersion = { resource_version: ResourceVersion.optional() };

/** Query booleans: `true`/`false`/`1`/`0`. */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Query integers with bounds and a default. */
export const queryInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Wraps an item schema in a list envelope. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Wraps an item schema in a paged list envelope. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
  });

/** An ok/no-content style acknowledgement. */
export const Ack = z.object({ ok: z.literal(true) });
