import { errors } from '../errors.js';

/** Parses `If-Match: "42"` / `W/"42"` / `42` into a revision; `*` and absence mean no condition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?([0-9]{1,15})"?\s*$/.exec(header);
  if (!m?.[1])
    throw errors.badRequest(
      'If-Match must carry a resource_version, e.g. If-Match: "42"',
      'INVALID_ARGUMENT',
    );
  return Number(m[1]);
}

/**
 * The revision an update is conditioned on: If-Match or `resource_version` in the body (both may be
 * given, but must agree). Undefined means unconditional.
 */
export function expectedRevision(
  ifMatch: string | undefined,
  bodyVersion: number | undefined,
): number | undefined {
  const header = parseIfMatch(ifMatch);
  if (header !== undefined && bodyVersion !== undefined && header !== bodyVersion) {
    throw errors.badRequest('If-Match and resource_version disagree', 'INVALID_ARGUMENT');
  }
  return header ?? bodyVersion;
}

export const etag = (revision: number) => `"${revision}"`;
