/**
 * The one generic call of the typed client: an endpoint's name (`models.create`) gives its method and
 * path (from the table generated out of src/api), and its declaration types the params, query, body and
 * answer. Type-only imports of the declarations: no schema reaches a bundle that imports this.
 */
import type { z } from 'zod';
import type { Api } from '../api/index.js';
import { ROUTES } from '../api/routes.gen.js';

type Area = keyof Api;
/** `area.name` of every declared endpoint. */
export type EndpointName = { [A in Area]: `${A}.${keyof Api[A] & string}` }[Area];
/** The declaration behind a name. */
export type EndpointOf<N extends EndpointName> = N extends `${infer A extends Area}.${infer M}`
  ? M extends keyof Api[A]
    ? Api[A][M]
    : never
  : never;

/** Path and query values travel as text: numbers and booleans are written out, so they are accepted too. */
type Wire<T> = { [K in keyof T]: T[K] | string | number | boolean };
type Value<K extends string, T> = K extends 'body' ? T : Wire<T>;
type SchemaOf<E, K extends string> = E extends { [k in K]?: infer S } ? NonNullable<S> : never;
type Part<E, K extends string, Required extends boolean> = [SchemaOf<E, K>] extends [never]
  ? { [k in K]?: never }
  : SchemaOf<E, K> extends z.ZodType
    ? Required extends true
      ? { [k in K]: Value<K, z.input<SchemaOf<E, K>>> }
      : { [k in K]?: Value<K, z.input<SchemaOf<E, K>>> }
    : { [k in K]?: never };

/** What a call sends: path parameters (required when the path has any), query and JSON body. */
export type CallInput<N extends EndpointName> = Part<EndpointOf<N>, 'params', true> &
  Part<EndpointOf<N>, 'query', false> &
  Part<EndpointOf<N>, 'body', false>;

/** The parsed JSON answer of an endpoint, typed from its response schema (`unknown` when it has none). */
export type ResponseOf<N extends EndpointName> = [SchemaOf<EndpointOf<N>, 'response'>] extends [never]
  ? unknown
  : SchemaOf<EndpointOf<N>, 'response'> extends z.ZodType
    ? z.output<SchemaOf<EndpointOf<N>, 'response'>>
    : unknown;

/** Method and path of an endpoint, its `{name}` parameters filled in (each percent-encoded). */
export function resolve(
  name: EndpointName,
  params: Record<string, unknown> = {},
): { method: string; path: string } {
  const [method, template] = ROUTES[name];
  const path = template.replace(/\{([a-z_]+)\}/g, (_, p: string) => {
    const v = params[p];
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new Error(`${name}: path parameter ${p} must be a string or a number`);
    return encodeURIComponent(v);
  });
  return { method, path };
}
