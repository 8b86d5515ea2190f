import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { api, endpoint, endpointsOf } from '../../api/index.js';
import type { ServerContext } from '../context.js';
import { systemRoutes } from '../system-routes.js';
import { v1Routes } from '../v1/index.js';
import { v2Routes } from '../v2/index.js';
import { bindImplementations, implement } from './route.js';

const a = endpoint({
  method: 'get',
  path: '/api/v2/things',
  minRole: 'viewer',
  action: 'thing.list',
  resource: 'things',
  summary: 'List things',
  tags: ['things'],
  response: z.object({ n: z.number() }),
});
const b = endpoint({ ...a, method: 'post', action: 'thing.create', minRole: 'operator' });
const declared = endpointsOf({ things: { list: a, create: b } });
const ok = async () => ({ n: 1 });

describe('binding handlers to declarations (checked at startup)', () => {
  it('pairs every declaration with its one handler, in declaration order', () => {
    const bound = bindImplementations(declared, [implement(b, ok), implement(a, ok)]);
    expect(bound.map((i) => i.endpoint)).toEqual([a, b]);
  });

  it('refuses a declaration without a handler, naming it', () => {
    expect(() => bindImplementations(declared, [implement(a, ok)])).toThrow(
      'declared endpoints without a handler: things.create (POST /api/v2/things)',
    );
  });

  it('refuses a handler that names no declaration, and a second handler for one', () => {
    const stray = endpoint({ ...a, path: '/api/v2/stray' });
    expect(() =>
      bindImplementations(declared, [implement(a, ok), implement(b, ok), implement(stray, ok)]),
    ).toThrow('handler for GET /api/v2/stray names no declared endpoint');
    expect(() =>
      bindImplementations(declared, [implement(a, ok), implement(b, ok), implement(a, ok)]),
    ).toThrow('endpoint things.list (GET /api/v2/things) has two handlers');
  });

  it("the server's handlers cover exactly the declarations of src/api", () => {
    // Building the handler list only captures the context; nothing is called.
    const ctx = {} as ServerContext;
    const impls = [...systemRoutes(ctx, {} as never), ...v1Routes(ctx), ...v2Routes(ctx)];
    expect(bindImplementations(endpointsOf(), impls)).toHaveLength(endpointsOf().length);
    expect(() =>
      bindImplementations(
        endpointsOf(),
        impls.filter((i) => i.endpoint !== api.models.scale),
      ),
    ).toThrow('models.scale (PUT /api/v2/models/{uid}/scale)');
  });
});
