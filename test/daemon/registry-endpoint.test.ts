/**
 * `/events/registry` end to end (SPEC §12): a real registry (Debian's docker-registry), a real
 * bare remote, and a daemon built as `drawbridge run` builds it. A push announced the way
 * Distribution's notifications, Harbor, Docker Hub and GitHub announce it rescans only the
 * image it names: its tag list is read again, the others are not.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import { startDaemonOn } from '../helpers/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { appDeployment } from '../helpers/app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';

const TOKEN = 'registry-endpoint-token-0123456789abcdef';
const env = isolatedGitEnv({ REGISTRY_TOKEN: TOKEN });

describe.runIf(registryInstalled())('the registry events endpoint', () => {
  let registry: TestRegistry;
  let remote: TestRemote;
  let runtime: Runtime;
  let daemon: Daemon;
  const tagLists = new Map<string, number>();
  let uri: Record<string, string>;

  beforeAll(async () => {
    registry = await startTestRegistry();
    for (const repository of ['team/api', 'team/web']) await registry.push(repository, '1.0.0');
    uri = { api: `${registry.host}/team/api`, web: `${registry.host}/team/web` };
    remote = await createTestRemote({
      main: { 'app.yaml': appDeployment(uri, { api: '1.0.0', web: '1.0.0' }) },
    });
    const text = [
      'version: 1',
      `git: { url: ${remote.url}, workdir: ${join(remote.root, 'work')} }`,
      `registries: { '${registry.host}': { insecure: true } }`,
      'images:',
      `  api: { repository: '${uri['api']}' }`,
      `  web: { repository: '${uri['web']}' }`,
      'events:',
      '  registry: { tokenEnv: REGISTRY_TOKEN }',
      'server: { port: 0, host: 127.0.0.1 }',
      'environments:',
      '  prod:',
      '    branch: main',
      "    policies: { api: { semver: '^1.0.0' }, web: { semver: '^1.0.0' } }",
      '',
    ].join('\n');
    const config = parseConfig(text, join(remote.root, 'drawbridge.yaml')).config;
    const logger = silentLogger();
    runtime = await createRuntime({
      config,
      logger,
      env,
      baseDir: remote.root,
      onRegistryRequest: (_host, kind, status) => {
        if (kind === 'tags' && status === 200) tagLists.set('all', (tagLists.get('all') ?? 0) + 1);
      },
    });
    daemon = await startDaemonOn(runtime, { config, logger, env });
    expect(await daemon.triggerSweep('manual')).toMatchObject({ ok: true });
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop('test over');
    await runtime?.close();
    await registry?.close();
    await remote?.cleanup();
  });

  const post = (body: unknown, token = TOKEN): Promise<Response> =>
    fetch(`${daemon.url}/events/registry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-drawbridge-token': token },
      body: JSON.stringify(body),
    });
  const distribution = (repository: string, tag: string, digest: string): unknown => ({
    events: [
      {
        id: 'a5b3c0f1',
        timestamp: new Date().toISOString(),
        action: 'push',
        target: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          repository,
          url: `http://${registry.host}/v2/${repository}/manifests/${digest}`,
          tag,
        },
        request: { id: 'r1', host: registry.host, method: 'PUT', useragent: 'test' },
        actor: {},
        source: { addr: 'registry:5000' },
      },
    ],
  });

  it('rescans only the image a Distribution notification names, and commits its new tag', async () => {
    const before = tagLists.get('all') ?? 0;
    const digest = await registry.push('team/api', '1.1.0');
    const response = await post(distribution('team/api', '1.1.0', digest));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'accepted', images: ['api'], environments: ['prod'] });
    await daemon.idle();
    // api's tag list read again; web's came from the cache.
    expect((tagLists.get('all') ?? 0) - before).toBe(1);
    const app = (await remote.readFile('main', 'app.yaml')) ?? '';
    expect(app).toContain(`image: ${uri['api']}:1.1.0 `);
    expect(app).toContain(`image: ${uri['web']}:1.0.0 `);
  });

  it('takes Harbor, Docker Hub and GitHub bodies, and ignores what names no image', async () => {
    const harbor = {
      type: 'PUSH_ARTIFACT',
      occur_at: 1733700000,
      operator: 'admin',
      event_data: {
        resources: [
          {
            digest: `sha256:${'a'.repeat(64)}`,
            tag: '1.0.1',
            resource_url: `${registry.host}/team/web:1.0.1`,
          },
        ],
        repository: { name: 'web', namespace: 'team', repo_full_name: 'team/web', repo_type: 'private' },
      },
    };
    expect(await (await post(harbor)).json()).toEqual({
      status: 'accepted',
      images: ['web'],
      environments: ['prod'],
    });
    const hub = {
      push_data: { tag: '1.0.1', pusher: 'acme' },
      repository: { repo_name: 'acme/other', namespace: 'acme', name: 'other' },
    };
    expect(await (await post(hub)).json()).toEqual({ status: 'ignored', reason: 'unknown-repository' });
    const gh = {
      action: 'published',
      registry_package: {
        name: 'api',
        namespace: 'Team',
        package_type: 'CONTAINER',
        package_version: {
          container_metadata: { tag: { name: '1.1.0', digest: `sha256:${'b'.repeat(64)}` } },
        },
        registry: { host: 'ghcr.io', url: 'https://ghcr.io/team' },
      },
    };
    // ghcr.io/team/api is no image here, but team/api is: matched by path.
    expect(await (await post(gh)).json()).toEqual({
      status: 'accepted',
      images: ['api'],
      environments: ['prod'],
    });
    await daemon.idle();
  });

  it('refuses a wrong token and a hostile field, naming the field only', async () => {
    expect(
      (
        await post(
          distribution('team/api', '1.1.0', `sha256:${'c'.repeat(64)}`),
          'wrong-token-0000000000000000000000',
        )
      ).status,
    ).toBe(401);
    const hostile = await post(
      distribution('team/api', '1.2.0\nDrawbridge-Update: x', `sha256:${'c'.repeat(64)}`),
    );
    expect(hostile.status).toBe(400);
    expect(await hostile.json()).toEqual({ error: 'tag is not valid' });
    const text = await daemon.metrics.text();
    expect(text).toMatch(/drawbridge_events_failed_total\{source="registry",reason="invalid-tag"\} 1/);
  });
});
