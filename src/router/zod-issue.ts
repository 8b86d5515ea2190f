import type { z } from 'zod';

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  errors?: IssueLike[][];
  issues?: IssueLike[];
}

/**
 * One line for the first problem in a zod error. For unions it descends into the branch that got furthest
 * (a branch failing on something other than its type), and into record keys, so "a.0: must be http://" beats
 * "Invalid input".
 */
export function describeZodError(error: z.ZodError): string {
  let issue = error.issues[0] as IssueLike | undefined;
  if (issue === undefined) return 'invalid';
  const path: PropertyKey[] = [...issue.path];
  for (;;) {
    let pick: IssueLike | undefined;
    if (issue.code === 'invalid_union' && issue.errors !== undefined) {
      const firsts: IssueLike[] = issue.errors
        .map((list) => list[0])
        .filter((i): i is IssueLike => i !== undefined);
      pick = firsts.find((i: IssueLike) => i.code !== 'invalid_type') ?? firsts[0];
    } else if (
      (issue.code === 'invalid_key' || issue.code === 'invalid_element') &&
      issue.issues !== undefined
    ) {
      pick = issue.issues[0];
    }
    if (pick === undefined) break;
    path.push(...pick.path);
    issue = pick;
  }
  return `${path.map(String).join('.') || '(root)'}: ${issue.message}`;
}
