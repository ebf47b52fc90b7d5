/** The OCI source's parsers and credential lookup, with hostile inputs. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { parseChallenge } from '../../src/registries/oci/challenge.js';
import { retryAfterMs } from '../../src/registries/oci/client.js';
import { credentialsFor } from '../../src/registries/oci/credentials.js';
import { nextPage } from '../../src/registries/oci/tags.js';

describe('WWW-Authenticate challenges', () => {
  it("reads Docker Hub's and GHCR's Bearer challenges and a Basic one", () => {
    const hub = parseChallenge(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    );
    expect(hub?.scheme).toBe('bearer');
    expect(Object.fromEntries(hub!.params)).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/nginx:pull',
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: 'basic',
      params: new Map([['realm', 'Registry Realm']]),
    });
    // Unquoted values and an escaped quote; a second challenge after the first is not mixed in.
    const mixed = parseChallenge('Bearer realm=https://ghcr.io/token, service="a\\"b", Basic realm="x"');
    expect(mixed?.params.get('realm')).toBe('https://ghcr.io/token');
    expect(mixed?.params.get('service')).toBe('a"b');
    expect(mixed?.params.has('basic')).toBe(false);
  });

  it('refuses what cannot be read, in time linear in its length', () => {
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
    expect(parseChallenge('Bearer realm="unterminated')).toBeUndefined();
    expect(parseChallenge(`Bearer ${'a=b,'.repeat(2000)}`)).toBeUndefined();
    const started = performance.now();
    parseChallenge(`Bearer realm="${'\\'.repeat(4000)}`);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('tag list pages', () => {
  const base = '/v2/team/api/tags/list';
  it('follows rel="next" on the same tag list, relative or absolute, never elsewhere', () => {
    expect(nextPage(`<${base}?n=100&last=1.0.9>; rel="next"`, base)).toBe(`${base}?n=100&last=1.0.9`);
    expect(nextPage(`<https://other.example${base}?last=x>; rel=next`, base)).toBe(`${base}?last=x`);
    expect(nextPage(`</v2/other/tags/list?last=x>; rel="next"`, base)).toBeUndefined();
    expect(nextPage(`</v2/team/api/manifests/x>; rel="next"`, base)).toBeUndefined();
    expect(nextPage(`<${base}?last=x>; rel="prev"`, base)).toBeUndefined();
    expect(nextPage(null, base)).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('registry credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-docker-config-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const dockerConfig = async (config: unknown): Promise<NodeJS.ProcessEnv> => {
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    return { DOCKER_CONFIG: dir };
  };

  it('takes registries.<host> first: a user and password, or a token', async () => {
    const env = { U: 'ci', P: 'pw', T: 'tok' };
    expect(
      await credentialsFor(
        'ghcr.io',
        { usernameEnv: 'U', passwordEnv: 'P', insecure: false, maxConcurrency: 4 },
        { env },
      ),
    ).toMatchObject({ kind: 'basic', username: 'ci', password: 'pw' });
    expect(
      await credentialsFor('ghcr.io', { tokenEnv: 'T', insecure: false, maxConcurrency: 4 }, { env }),
    ).toMatchObject({ kind: 'token', token: 'tok' });
    await expect(
      credentialsFor('ghcr.io', { tokenEnv: 'UNSET', insecure: false, maxConcurrency: 4 }, { env }),
    ).rejects.toMatchObject({ code: 'MissingCredentials' });
  });

  it("reads the Docker config's auths, identity tokens, helpers and store", async () => {
    const auth = Buffer.from('alice:s3cret:with-colon').toString('base64');
    let env = await dockerConfig({
      auths: {
        'https://index.docker.io/v1/': { auth },
        'quay.io': { identitytoken: 'refresh-me' },
        'ghcr.io': {},
      },
      credHelpers: { 'public.ecr.aws': 'ecr-login' },
      credsStore: 'desktop',
    });
    const asked: string[] = [];
    const runHelper = async (name: string, server: string): Promise<string> => {
      asked.push(`${name} ${server}`);
      return JSON.stringify({ Username: name === 'desktop' ? '<token>' : 'AWS', Secret: `from-${name}` });
    };
    expect(await credentialsFor('docker.io', undefined, { env, runHelper })).toMatchObject({
      kind: 'basic',
      username: 'alice',
      password: 's3cret:with-colon',
    });
    expect(await credentialsFor('quay.io', undefined, { env, runHelper })).toMatchObject({
      kind: 'identity',
      token: 'refresh-me',
    });
    expect(await credentialsFor('public.ecr.aws', undefined, { env, runHelper })).toMatchObject({
      kind: 'basic',
      username: 'AWS',
      password: 'from-ecr-login',
    });
    // An auths entry without a secret belongs to the store; the store's <token> user is an identity token.
    expect(await credentialsFor('ghcr.io', undefined, { env, runHelper })).toMatchObject({
      kind: 'identity',
      token: 'from-desktop',
    });
    expect(asked).toEqual(['ecr-login public.ecr.aws', 'desktop ghcr.io']);

    env = await dockerConfig({ credHelpers: { 'evil.example': '../../bin/sh' } });
    const error = (await credentialsFor('evil.example', undefined, { env, runHelper }).catch(
      (e: unknown) => e,
    )) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toContain('which is no helper name');
  });

  it('is anonymous without a config, and says which file is broken', async () => {
    expect(await credentialsFor('ghcr.io', undefined, { env: {}, home: join(dir, 'nowhere') })).toEqual({
      kind: 'anonymous',
      from: 'anonymous',
    });
    await writeFile(join(dir, 'config.json'), '{not json');
    await expect(credentialsFor('ghcr.io', undefined, { env: { DOCKER_CONFIG: dir } })).rejects.toMatchObject(
      {
        code: 'DockerConfig',
        message: `the Docker config ${join(dir, 'config.json')} is not JSON`,
      },
    );
  });
});
