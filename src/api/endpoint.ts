import type { z } from 'zod';
import type { Role } from '../core/domain/common.js';

/** Who may call a route: anyone (`public`) or a principal with at least this role. */
export type MinRole = Role | 'public';

type Schema = z.ZodType;

/**
 * One endpoint of the control API, declared once as data: the server validates with its schemas, mounts
 * its handler, fills the RBAC table and the OpenAPI document from it; the typed client calls it by it.
 */
export interface Endpoint<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema | undefined = Schema | undefined,
> {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** OpenAPI path template (`/api/v2/models/{uid}`). */
  path: string;
  /** Minimum role (viewer < operator < admin), or `public`. */
  minRole: MinRole;
  /** Audit action name, e.g. `model.create`. */
  action: string;
  /** Audit resource template, filled from path parameters (`model/{uid}`). */
  resource: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Whether the JSON body may be omitted (an empty body then validates as `{}`). */
  bodyOptional?: boolean;
  /** JSON response schema; omit for routes that answer something else (text, stream, HTML). */
  response?: R;
  /** Content type of non-JSON answers, for the document. */
  produces?: string;
  status?: 200 | 201 | 202;
  /** Extra headers this route reads (documented). */
  headers?: Record<string, string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = Endpoint<any, any, any, any>;

/** Identity with inference: keeps each schema's own type, so handlers and the client are typed from it. */
export function endpoint<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema | undefined = undefined,
>(e: Endpoint<P, Q, B, R>): Endpoint<P, Q, B, R> {
  return e;
}
