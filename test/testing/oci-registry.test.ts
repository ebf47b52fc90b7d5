/**
 * The real registry the OCI tests run against (test/helpers/oci-registry.ts): Debian's
 * docker-registry with htpasswd auth, images pushed through its upload API, and the answers
 * the registry source reads from it — the basic-auth challenge, tag lists (which this
 * version does not page), manifest digests from HEAD, an index, and the config's `created`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  registryInstalled,
  startTestRegistry,
  type TestRegistry,
} from '../helpers/oci-registry.js';

const installed = registryInstalled();
if (!installed) console.warn('skipping registry tests: apt-get install docker-registry apache2-utils');

let registry: TestRegistry;
beforeAll(async () => {
  if (installed) registry = await startTestRegistry({ users: { ci: 'registry-test-password-0123456789' } });
});
afterAll(() => registry?.close());

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${registry.url}${path}`, { method, headers: { ...registry.authorization, ...headers } });

describe.skipIf(!installed)('the test registry (Distribution)', () => {
  it('challenges for basic auth and refuses a wrong password', async () => {
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="drawbridge-test"/);
    const wrong = await fetch(`${registry.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from('ci:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    expect((await get('/v2/')).status).toBe(200);
  });

  it('keeps pushed tags, lists them whole, and answers digests and creation times', async () => {
    const created = new Date('2026-01-02T03:04:05.000Z');
    const digests: Record<string, string> = {};
    for (const tag of ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest'])
      digests[tag] = await registry.push('team/api', tag, { created });
    // Distribution 2.8 (Debian's) pages the catalog, not tag lists: `n` and `last` are
    // ignored, every tag comes in one answer without a Link header, in no particular order.
    // The registry source must take a whole list as readily as a paged one.
    const first = await get('/v2/team/api/tags/list?n=2');
    expect(first.headers.get('link')).toBeNull();
    const listed = (await first.json()) as { name: string; tags: string[] };
    expect(listed.name).toBe('team/api');
    expect([...listed.tags].sort()).toEqual(['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'latest']);

    const head = await get('/v2/team/api/manifests/1.1.0', { accept: OCI_MANIFEST }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(digests['1.1.0']);
    const manifest = (await (await get('/v2/team/api/manifests/1.1.0', { accept: OCI_MANIFEST })).json()) as {
      config: { digest: string };
      annotations: Record<string, string>;
    };
    expect(manifest.annotations['org.opencontainers.image.created']).toBe(created.toISOString());
    const config = (await (await get(`/v2/team/api/blobs/${manifest.config.digest}`)).json()) as {
      created: string;
    };
    expect(config.created).toBe(created.toISOString());
  });

  it('keeps a multi-arch index under one digest', async () => {
    const digest = await registry.pushIndex('team/web', '3.0.0', ['linux/amd64', 'linux/arm64']);
    const head = await get(
      '/v2/team/web/manifests/3.0.0',
      { accept: `${OCI_INDEX}, ${OCI_MANIFEST}` },
      'HEAD',
    );
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    expect(head.headers.get('content-type')).toBe(OCI_INDEX);
    expect((await get('/v2/team/web/manifests/latest', { accept: OCI_INDEX }, 'HEAD')).status).toBe(404);
  });
});
