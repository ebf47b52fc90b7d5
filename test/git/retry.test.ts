import { describe, expect, it } from 'vitest';
import { TransientError } from '../../src/errors.js';
import { retryOnRejection } from '../../src/git/retry.js';
import { silentLogger } from '../../src/log/logger.js';

describe('retryOnRejection', () => {
  it('backs off with jitter between attempts and gives up with a TransientError', async () => {
    const delays: number[] = [];
    let calls = 0;
    const run = retryOnRejection(
      {
        attempts: 4,
        logger: silentLogger(),
        baseDelayMs: 100,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
      async () => {
        calls++;
        return { status: 'rejected' };
      },
    );
    await expect(run).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(4);
    expect(delays).toEqual([50, 100, 200]);
  });

  it('returns the value and the attempt that succeeded', async () => {
    const result = await retryOnRejection(
      { attempts: 3, logger: silentLogger(), sleep: async () => undefined },
      async (attempt) => (attempt < 2 ? { status: 'rejected' } : { status: 'done', value: 'ok' }),
    );
    expect(result).toEqual({ value: 'ok', attempts: 2 });
  });
});
