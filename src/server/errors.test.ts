import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../core/errors.js';
import { ConflictError, StoreUnavailableError } from '../store/errors.js';
import { InvalidStoredValueError } from '../store/json.js';
import { ApiError, errorToHttp } from './errors.js';
import { validationError } from './http/validation.js';

describe('errorToHttp', () => {
  const zerr = z.object({ a: z.number() }).safeParse({ a: 'x' }).error;
  const cases: [string, unknown, number, string][] = [
    ['ApiError', new ApiError(409, 'MODEL_ALREADY_EXISTS', 'exists'), 409, 'MODEL_ALREADY_EXISTS'],
    ['ZodError', zerr, 422, 'VALIDATION_FAILED'],
    ['malformed JSON', new HTTPException(400, { message: 'Malformed JSON' }), 400, 'INVALID_JSON'],
    ['body too large', new HTTPException(413), 413, 'PAYLOAD_TOO_LARGE'],
    ['wrong media type', new HTTPException(415), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['store conflict', new ConflictError('/k'), 409, 'CONFLICT'],
    ['store down', new StoreUnavailableError('down'), 503, 'STORE_UNAVAILABLE'],
    ['bad stored value', new InvalidStoredValueError('/k', 'x'), 500, 'INTERNAL'],
    ['core not found', new NotFoundError('gone', 'MODEL_NOT_FOUND'), 404, 'MODEL_NOT_FOUND'],
    ['core not found (other code)', new NotFoundError('gone', 'WHATEVER'), 404, 'NOT_FOUND'],
    ['core exists', new AlreadyExistsError('dup', 'TEMPLATE_ALREADY_EXISTS'), 409, 'TEMPLATE_ALREADY_EXISTS'],
    [
      'core invalid (bad uid in a key)',
      new InvalidArgumentError('bad', 'INVALID_MODEL_UID'),
      400,
      'INVALID_MODEL_UID',
    ],
    ['anything else', new Error('secret internals'), 500, 'INTERNAL'],
    ['a thrown string', 'oops', 500, 'INTERNAL'],
  ];
  for (const [name, err, status, code] of cases) {
    it(`${name} -> ${status} ${code}`, () => {
      const r = errorToHttp(err);
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message).not.toContain('secret internals');
    });
  }
  it('carries headers (Retry-After) and details', () => {
    const r = errorToHttp(
      new ApiError(429, 'RATE_LIMITED', 'slow down', {
        headers: { 'Retry-After': '3' },
        details: { limit: 1 },
      }),
    );
    expect(r.headers).toEqual({ 'Retry-After': '3' });
    expect(r.body.error.details).toEqual({ limit: 1 });
  });
});

describe('validationError', () => {
  const uid = z.object({ uid: z.string().regex(/^[a-z]+$/) });
  it('path parameters are 400 with the parameter’s code; bodies 422', () => {
    const e1 = validationError('param', uid.safeParse({ uid: 'X' }).error!);
    expect([e1.status, e1.code]).toEqual([400, 'INVALID_MODEL_UID']);
    const e2 = validationError(
      'json',
      z.object({ model_uid: z.string().regex(/^a$/), b: z.number() }).safeParse({ model_uid: 'x', b: 1 })
        .error!,
    );
    expect([e2.status, e2.code]).toEqual([422, 'INVALID_MODEL_UID']);
    const e3 = validationError('json', z.object({ a: z.number(), b: z.number() }).safeParse({}).error!);
    expect([e3.status, e3.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(e3.details?.['issues']).toHaveLength(2);
    const e4 = validationError('query', z.object({ limit: z.number() }).safeParse({}).error!);
    expect([e4.status, e4.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(e4.message).toMatch(/limit/);
  });
});
