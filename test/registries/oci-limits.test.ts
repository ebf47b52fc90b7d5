/**
 * What a local Distribution server does not show, against the OCI emulator: tag lists paged
 * by `Link` at the registry's page size, GHCR's anonymous token flow, 429 and 503 retried after
 * Retry-After or a backoff, and Docker Hub's spent pull quota reported with what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { selectTag } from '../../src/policy/index.js';
import { createOciSource, type OciSource } from '../../src/registries/oci/source.js';
import { startOciEmulator, type OciEmulator, type OciEmulatorOptions } from '../../src/testing/oci/index.js';

const DAY = 86_400_000;
let emulator: OciEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function setup(
  options: OciEmulatorOptions,
  tags: number,
): Promise<{ emulator: OciEmulator; source: OciSource; waits: number[] }> {
  emulator = await startOciEmulator(options);
  const start = Date.now() - (tags + 1) * DAY;
  for (let t = 0; t < tags; t += 1) emulator.push('library/app', `1.0.${t}`, new Date(start + t * DAY));
  const config: Config = configSchema.parse({
    version: 1,
    git: { url: 'file:///dev/null' },
    images: { app: { repository: `${emulator.host}/library/app` } },
    registries: { [emulator.host]: { insecure: true } },
    environments: {},
  });
  const waits: number[] = [];
  const source = createOciSource({
    config,
    logger: silentLogger(),
    env: {},
    home: '/nonexistent',
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { emulator, source, waits };
}

async function choose(source: OciSource, policy: Record<string, unknown>) {
  const listing = await source.list('app');
  return selectTag({
    imageKey: 'app',
    policy: { unscanned: 'skip', digest: false, ...policy } as never,
    candidates: listing.candidates,
    context: { now: new Date() },
    resolve: (pending, needs) => source.readPending!('app', pending, needs),
  });
}

describe('OCI registries beyond Distribution', () => {
  it('follows Link pages at the page size the registry chooses', async () => {
    const { emulator, source } = await setup({ pageSize: 100 }, 250);
    const listing = await source.list('app');
    expect(listing.candidates).toHaveLength(250);
    expect(listing.pages).toBe(3);
    // In byte order, as registries sort: pages end at 1.0.188 and 1.0.53.
    expect(emulator.tagQueries).toEqual([
      { n: '1000', last: null },
      { n: '100', last: '1.0.188' },
      { n: '100', last: '1.0.53' },
    ]);
  });

  it("goes through GHCR's anonymous token flow once per scope", async () => {
    const { emulator, source } = await setup({ anonymousTokens: true }, 5);
    expect((await choose(source, { semver: '^1.0.0' })).chosen?.tag).toBe('1.0.4');
    // The challenge, one token, then the tag list and the HEAD both carry it.
    expect(emulator.counts.get('token')).toBe(1);
    expect(emulator.counts.get('tags')).toBe(1);
    expect(emulator.counts.get('head')).toBe(1);
  });

  it('waits out Retry-After on 429 and backs off on 503, then answers', async () => {
    const { emulator, source, waits } = await setup({}, 3);
    emulator.failNext(1, 429, 2);
    emulator.failNext(2, 503);
    expect((await source.list('app')).candidates).toHaveLength(3);
    // Retry-After, then the backoff of attempts 2 and 3.
    expect(waits).toEqual([2000, 1000, 2000]);
  });

  it('fails the image, retryably, when the registry asks to wait longer than a pass should', async () => {
    const { emulator, source, waits } = await setup({}, 3);
    emulator.failNext(1, 429, 3600);
    const error = (await source.list('app').catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'RateLimited', retryable: true });
    expect(error.message).toContain('it asks to wait 3600s');
    expect(waits).toEqual([]);
  });

  it("stops at Docker Hub's spent pull quota and says to log in", async () => {
    // newest: pushed reads manifests best first, 1 then 4 at once: with 2 left for those 4,
    // two answer and two meet the spent quota.
    const { emulator, source } = await setup({ pullQuota: 3, quotaRetryAfter: 21_600 }, 6);
    const error = (await choose(source, { newest: 'pushed' }).catch((e: unknown) => e)) as RegistryError;
    expect(error).toMatchObject({ code: 'RateLimited', retryable: true });
    expect(error.hint).toContain('the pull quota is spent (ratelimit-remaining: 0)');
    expect(error.hint).toContain(`registries.${emulator.host}`);
    expect(emulator.counts.get('429')).toBe(2);
    // HEADs are free; only manifest GETs spent the quota.
    expect(emulator.counts.get('head')).toBe(5);
    expect(emulator.counts.get('manifest')).toBe(5);
    // The quota said 0 left: the next pass asks for no manifest while the HEADs say so.
    source.invalidate();
    await expect(choose(source, { newest: 'pushed' })).rejects.toMatchObject({ code: 'RateLimited' });
    expect(emulator.counts.get('manifest')).toBe(5);
    expect(emulator.counts.get('429')).toBe(2);
  });

  it('answers the tag a policy needs with one HEAD, whatever the quota', async () => {
    const { emulator, source } = await setup({ pullQuota: 0 }, 40);
    expect((await choose(source, { semver: '^1.0.0' })).chosen?.tag).toBe('1.0.39');
    expect(emulator.counts.get('head')).toBe(1);
    expect(emulator.counts.get('manifest')).toBeUndefined();
  });
});
