/**
 * The OCI source against a real registry: Debian's docker-registry (CNCF Distribution) on
 * 127.0.0.1 with htpasswd auth, images pushed through its upload API. Tags are listed, and
 * only the candidates a policy would choose are read: the requests are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { selectTag } from '../../src/policy/index.js';
import type { Decision } from '../../src/policy/types.js';
import { createOciSource, type OciSource } from '../../src/registries/oci/source.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';

const HOUR = 3_600_000;
const USERS = { ci: 'pull-secret-1' };
const ENV = { REG_USER: 'ci', REG_PASSWORD: 'pull-secret-1' };

function configFor(
  registry: TestRegistry,
  images: Record<string, string>,
  entry: Record<string, unknown> = { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD' },
): Config {
  return configSchema.parse({
    version: 1,
    git: { url: 'file:///dev/null' },
    images: Object.fromEntries(
      Object.entries(images).map(([key, path]) => [key, { repository: `${registry.host}/${path}` }]),
    ),
    registries: { [registry.host]: { insecure: true, ...entry } },
    environments: {},
  });
}

interface Counted {
  readonly source: OciSource;
  readonly requests: Map<string, number>;
}

function sourceFor(config: Config, env: NodeJS.ProcessEnv = ENV, home = '/nonexistent'): Counted {
  const requests = new Map<string, number>();
  const source = createOciSource({
    config,
    logger: silentLogger(),
    env,
    home,
    onRequest: (_host, kind, status) => {
      const key = `${kind} ${status}`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    },
  });
  return { source, requests };
}

/** The source's listing of `imageKey` through the policy engine, reading pending tags as it needs. */
async function choose(
  source: OciSource,
  imageKey: string,
  policy: Record<string, unknown>,
  now: Date,
): Promise<Decision> {
  const listing = await source.list(imageKey);
  return selectTag({
    imageKey,
    policy: { unscanned: 'skip', digest: false, ...policy } as never,
    candidates: listing.candidates,
    context: { now },
    resolve: (pending, needs) => source.readPending!(imageKey, pending, needs),
  });
}

describe.runIf(registryInstalled())('the OCI source against docker-registry', () => {
  let registry: TestRegistry;
  const now = new Date();
  const digests = new Map<string, string>();

  beforeAll(async () => {
    registry = await startTestRegistry({ users: USERS });
    const at = (hoursAgo: number): Date => new Date(now.getTime() - hoursAgo * HOUR);
    for (const [tag, hoursAgo] of [
      ['1.0.0', 72],
      ['1.1.0', 48],
      ['1.2.0', 1],
      ['2.0.0-rc.1', 0.5],
      ['latest', 1],
    ] as const) {
      digests.set(tag, await registry.push('team/api', tag, { created: at(hoursAgo) }));
    }
    digests.set('multi', await registry.pushIndex('team/multi', '3.0.0', ['linux/amd64', 'linux/arm64']));
    digests.set('plain', await registry.push('team/plain', '1.0.0', { created: at(5), annotate: false }));
  }, 60_000);
  afterAll(() => registry?.close());

  it('lists the tags as pending candidates, and reads only the one a semver policy chooses', async () => {
    const { source, requests } = sourceFor(configFor(registry, { api: 'team/api' }));
    const listing = await source.list('api');
    expect(listing.candidates.map((c) => c.tag).sort()).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '2.0.0-rc.1',
      'latest',
    ]);
    expect(listing.candidates.every((c) => c.pending)).toBe(true);
    const decision = await choose(source, 'api', { semver: '^1.0.0' }, now);
    expect(decision.chosen?.tag).toBe('1.2.0');
    expect(decision.chosen?.digest).toBe(digests.get('1.2.0'));
    expect(decision.chosen?.pushedFrom).toBe('unread');
    // The tag list (401 then 200 with Basic), one HEAD; no manifest or blob GET.
    expect(Object.fromEntries(requests)).toEqual({ 'tags 401': 1, 'tags 200': 1, 'head 200': 1 });
  });

  it('reads creation times for minAge, only down to the first old enough', async () => {
    const { source, requests } = sourceFor(configFor(registry, { api: 'team/api' }));
    const decision = await choose(source, 'api', { semver: '^1.0.0', minAge: 24 * HOUR }, now);
    expect(decision.chosen?.tag).toBe('1.1.0');
    expect(decision.chosen?.pushedFrom).toBe('annotation');
    expect(decision.chosen?.pushedAt.getTime()).toBe(now.getTime() - 48 * HOUR);
    // 1.2.0 (too young), then 1.1.0 and 1.0.0 in the second round: three HEADs and manifests.
    expect(requests.get('head 200')).toBe(3);
    expect(requests.get('manifest 200')).toBe(3);
    expect(requests.get('blob 200')).toBeUndefined();
    expect(decision.rejected.find((r) => r.tag === '1.2.0')?.reason).toBe('too-young');
  });

  it('remembers creation times by digest across listings', async () => {
    const { source, requests } = sourceFor(configFor(registry, { api: 'team/api' }));
    const pick = async (): Promise<string | undefined> =>
      (await choose(source, 'api', { newest: 'pushed' }, now)).chosen?.tag;
    expect(await pick()).toBe('2.0.0-rc.1');
    const manifests = requests.get('manifest 200');
    source.invalidate(['api']);
    expect(await pick()).toBe('2.0.0-rc.1');
    // The second listing HEADs its tags again (a tag may move) but fetches no manifest.
    expect(requests.get('manifest 200')).toBe(manifests);
    expect(requests.get('tags 200')).toBe(2);
  });

  it('takes the index digest of a multi-arch image', async () => {
    const { source } = sourceFor(configFor(registry, { multi: 'team/multi' }));
    const listing = await source.list('multi');
    const read = await source.readPending!('multi', listing.candidates, { pushTime: true });
    const image = read.get('3.0.0');
    expect(image?.digest).toBe(digests.get('multi'));
    expect(image?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    // The index has no annotation; its linux/amd64 image has.
    expect(image?.pushedFrom).toBe('annotation');
  });

  it("takes the image config's created when the manifest has no annotation", async () => {
    const { source, requests } = sourceFor(configFor(registry, { plain: 'team/plain' }));
    const listing = await source.list('plain');
    const image = (await source.readPending!('plain', listing.candidates, { pushTime: true })).get('1.0.0');
    expect(image?.digest).toBe(digests.get('plain'));
    expect(image?.pushedFrom).toBe('config');
    expect(image?.pushedAt.getTime()).toBe(now.getTime() - 5 * HOUR);
    expect(requests.get('blob 200')).toBe(1);
  });

  it('answers a vanished tag as gone, not as an error', async () => {
    const { source } = sourceFor(configFor(registry, { api: 'team/api' }));
    const read = await source.readPending!(
      'api',
      [{ tag: 'no-such-tag', digest: '', pushedAt: new Date(0), pending: true }],
      {
        pushTime: false,
      },
    );
    expect(read.has('no-such-tag')).toBe(true);
    expect(read.get('no-such-tag')).toBeUndefined();
  });

  it('says what to fix for wrong credentials, a missing repository and a plain-HTTP host taken for TLS', async () => {
    const wrong = sourceFor(configFor(registry, { api: 'team/api' }), {
      REG_USER: 'ci',
      REG_PASSWORD: 'nope',
    });
    const unauthorized = await wrong.source.list('api').catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(RegistryError);
    expect(unauthorized).toMatchObject({ code: 'Unauthorized', retryable: false });
    expect((unauthorized as RegistryError).hint).toContain(`registries.${registry.host}`);
    expect(String((unauthorized as RegistryError).message)).not.toContain('nope');

    const missing = sourceFor(configFor(registry, { gone: 'team/gone' }));
    await expect(missing.source.list('gone')).rejects.toMatchObject({ code: 'NotFound' });

    const tls = sourceFor(
      configFor(
        registry,
        { api: 'team/api' },
        { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD', insecure: false },
      ),
    );
    const error = (await tls.source.list('api').catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.hint).toContain(`registries.${registry.host}.insecure: true`);

    const unset = sourceFor(configFor(registry, { api: 'team/api' }), {});
    await expect(unset.source.list('api')).rejects.toMatchObject({ code: 'MissingCredentials' });
  });
});

describe.runIf(registryInstalled())(
  'the Bearer token flow against docker-registry and a token server',
  () => {
    let registry: TestRegistry;
    const now = new Date();

    beforeAll(async () => {
      registry = await startTestRegistry({ users: USERS, token: { expiresIn: 300 } });
      await registry.push('team/api', '1.0.0', { created: new Date(now.getTime() - 2 * HOUR) });
      await registry.push('team/api', '1.1.0', { created: new Date(now.getTime() - HOUR) });
      await registry.push('public/tool', '0.9.0');
    }, 60_000);
    afterAll(() => registry?.close());

    it('fetches a token per scope with the credentials, caches it, and reads with it', async () => {
      const { source, requests } = sourceFor(configFor(registry, { api: 'team/api', tool: 'public/tool' }));
      expect((await choose(source, 'api', { semver: '^1.0.0', minAge: 30 * 60_000 }, now)).chosen?.tag).toBe(
        '1.1.0',
      );
      source.invalidate();
      expect((await choose(source, 'api', { semver: '^1.0.0' }, now)).chosen?.tag).toBe('1.1.0');
      // One token for team/api however many requests, and one for public/tool.
      expect(requests.get('token 200')).toBe(1);
      expect((await choose(source, 'tool', { semver: '*' }, now)).chosen?.tag).toBe('0.9.0');
      expect(requests.get('token 200')).toBe(2);
      expect(requests.get('tags 401')).toBe(2);
      expect(registry.tokenRequests.get('granted')).toBe(2);
    });

    it('reads a public repository anonymously, and says what to do when a private one refuses', async () => {
      const config = configFor(registry, { api: 'team/api', tool: 'public/tool' }, {});
      const { source } = sourceFor(config, {});
      expect((await choose(source, 'tool', { semver: '*' }, now)).chosen?.tag).toBe('0.9.0');
      // The token server hands an anonymous caller a token without the scope: denied, with a hint.
      const refused = (await source.list('api').catch((error: unknown) => error)) as RegistryError;
      expect(refused).toMatchObject({ code: 'Denied' });
      expect(refused.message).toContain('granted no repository:team/api:pull');
      expect(refused.hint).toContain(`give credentials under registries.${registry.host}`);

      const wrong = sourceFor(configFor(registry, { api: 'team/api' }), {
        REG_USER: 'ci',
        REG_PASSWORD: 'wrong',
      });
      const error = (await wrong.source.list('api').catch((e: unknown) => e)) as RegistryError;
      expect(error).toMatchObject({ code: 'Unauthorized' });
      expect(error.message).toContain('token server refused the credentials');
      expect(registry.tokenRequests.get('refused')).toBeGreaterThanOrEqual(1);
    });
  },
);
