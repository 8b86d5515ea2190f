/**
 * The console's error helpers. `ApiError` is the typed client's (src/client): `status` 0 means the request
 * never got an HTTP answer (network down, server stopped).
 */
import { ApiError } from '../../../src/client/errors.ts';

export { ApiError };

/** A message fit for a notification or an error panel, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
