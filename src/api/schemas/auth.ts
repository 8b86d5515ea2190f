import { z } from 'zod';
import { AuthMethod, Role, Username } from '../../core/domain/index.js';
import { durationMs } from '../../core/duration.js';
import { RateInput } from '../../core/rate.js';
import { listOf, ResourceVersion, WithResourceVersion } from './common.js';

const Password = z.string().min(8, 'passwords have at least 8 characters').max(256);

export const LoginBody = z
  .strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) })
  .meta({ id: 'LoginBody' });
export const LoginResponse = z
  .object({
    token: z.string(),
    token_type: z.literal('Bearer'),
    expires_at: z.string(),
    username: z.string(),
    role: Role,
  })
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const WhoAmI = z
  .object({
    username: z.string(),
    role: Role,
    auth_method: AuthMethod,
    key_id: z.string().nullable(),
    expires_at: z.string().nullable(),
  })
  .meta({ id: 'WhoAmI' });
export type WhoAmI = z.infer<typeof WhoAmI>;

export const LogoutBody = z
  .strictObject({ all: z.boolean().optional() })
  .meta({ id: 'LogoutBody' });

export const ChangePasswordBody = z.strictObject({
  current_password: z.string().min(1).max(256),
  new_password: Password,
});

export const UserView = z
  .object({
    username: z.string(),
    role: Role,
    disabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    created_by: z.string().nullable(),
    resource_version: ResourceVersion,
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof UserView>;
export const UserList = listOf(UserView);
export const UserParams = z.object({ username: Username });

export const CreateUserBody = z
  .strictObject({ username: Username, password: Password, role: Role })
  .meta({ id: 'CreateUserBody' });
export const UpdateUserBody = z
  .strictObject({
    role: Role.optional(),
    password: Password.optional(),
    disabled: z.boolean().optional(),
    ...WithResourceVersion,
  })
  .meta({ id: 'UpdateUserBody' });

/** Whole seconds of a duration in the one grammar (core/duration: `30d`, `12h`, `1h30m`), else undefined. */
const durationSeconds = (s: string): number | undefined => {
  const ms = durationMs(s);
  return ms !== undefined && ms % 1000 === 0 ? ms / 1000 : undefined;
};

/** `expires_in`: seconds, or a duration like `30d`, `12h`, `90m`, `1h30m`. */
export const Duration = z.union([
  z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 86400),
  z
    .string()
    .max(32)
    .refine((s) => durationSeconds(s) !== undefined, 'durations look like 90m, 12h or 30d')
    .transform((s) => durationSeconds(s) ?? 0)
    .refine((n) => n >= 60 && n <= 10 * 365 * 86400, 'expires_in must be between 1 minute and 10 years'),
]);

/** A key's data-plane rate limit: `60/min`, `10/s`, `1000/h` (`:burst=N` optional) or `{ rps, burst }`. */
export const RateLimitBody = RateInput.meta({
  id: 'RateLimitInput',
  description: 'Requests per second for the router (token bucket): "60/min", "10/s:burst=20" or { rps, burst }',
});

export const CreateApiKeyBody = z
  .strictObject({
    name: z.string().min(1).max(100),
    role: Role.optional(),
    expires_in: Duration.optional(),
    rate_limit: RateLimitBody.optional(),
  })
  .meta({ id: 'CreateApiKeyBody' });

/** Changes to a key: its name, or its rate limit (`null` = back to the router's default). */
export const UpdateApiKeyBody = z
  .strictObject({ name: z.string().min(1).max(100).optional(), rate_limit: RateLimitBody.nullable().optional() })
  .refine((b) => b.name !== undefined || b.rate_limit !== undefined, 'give name and/or rate_limit')
  .meta({ id: 'UpdateApiKeyBody' });

export const ApiKeyView = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    role: Role,
    owner: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    /** The key's own router rate limit; null = the router's default. */
    rate_limit: z.object({ rps: z.number(), burst: z.number().int().optional() }).nullable(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKeyView = z.infer<typeof ApiKeyView>;
export const ApiKeyList = listOf(ApiKeyView);
export const CreatedApiKey = ApiKeyView.extend({ key: z.string() }).meta({ id: 'CreatedApiKey' });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
export const ApiKeyParams = z.object({ key_id: z.string().regex(/^[a-z0-9]{8,32}$/) });
export const ApiKeyListQuery = z.object({ all: z.enum(['true', 'false']).optional() });
