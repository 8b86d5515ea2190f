import { describe, expect, it } from 'vitest';
import { CliError, UsageError, describeError, formatErrorLine, oneLine } from './errors.js';

describe('errors', () => {
  it('formats one line with the code', () => {
    expect(formatErrorLine('model "x" not found', 'MODEL_NOT_FOUND')).toBe(
      'error: model "x" not found (MODEL_NOT_FOUND)\n',
    );
    expect(formatErrorLine("error: unknown option '--x'\n", 'USAGE')).toBe(
      "error: unknown option '--x' (USAGE)\n",
    );
    expect(formatErrorLine('first\nsecond\n  third', 'X')).toBe('error: first; second; third (X)\n');
    expect(oneLine(' a \n\n b ')).toBe('a; b');
  });

  it('maps thrown values to messages, codes and exit codes', () => {
    expect(describeError(new UsageError('bad'))).toEqual({ message: 'bad', code: 'USAGE', exitCode: 2 });
    expect(describeError(new CliError('boom', 'MODEL_FAILED'))).toEqual({
      message: 'boom',
      code: 'MODEL_FAILED',
      exitCode: 1,
    });
    const net = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    expect(describeError(net)).toEqual({
      message: 'cannot reach the server: connect ECONNREFUSED 127.0.0.1:9',
      code: 'UNREACHABLE',
      exitCode: 1,
    });
    const coded = Object.assign(new Error('nope'), { code: 'MODEL_NOT_FOUND' });
    expect(describeError(coded)).toEqual({ message: 'nope', code: 'MODEL_NOT_FOUND', exitCode: 1 });
    expect(describeError(Object.assign(new Error('x'), { code: 'ENOENT' })).code).toBe('ENOENT');
    expect(describeError(Object.assign(new Error('x'), { code: 'lowercase' })).code).toBe('INTERNAL');
    expect(describeError('str')).toEqual({ message: 'str', code: 'INTERNAL', exitCode: 1 });
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(describeError(abort).code).toBe('CANCELLED');
  });
});
