import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { ListingBuilder } from '../../src/registries/ecr/listing.js';
import { clientFor, configFor, sourceFor } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function recorder() {
  const calls: string[] = [];
  return { calls, onCall: (operation: string, outcome: string) => calls.push(`${operation}:${outcome}`) };
}

describe('ECR source: listing', () => {
  it('reads 2,500 images in exactly 3 DescribeImages pages, one candidate each', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 2500, prefix: 'paging/big-' });
    const source = sourceFor(emulator, configFor(emulator, { big: { name: 'paging/big-0' } }));
    emulator.server.resetCalls();
    const listing = await source.list('big');
    expect(emulator.server.calls('DescribeImages')).toBe(3);
    expect(emulator.server.calls()).toBe(3);
    expect(listing.pages).toBe(3);
    expect(listing.candidates).toHaveLength(2500);
    expect(new Set(listing.candidates.map((c) => c.digest)).size).toBe(2500);
    expect(listing.candidates[2499]?.tag).toBe('1.0.2499');
    expect(listing.repository).toMatchObject({
      name: 'paging/big-0',
      registryId: emulator.accountId,
      region: 'eu-west-1',
    });
    source.close();
  });

  it('yields one candidate per tag with the same digest, push time, size and scan summary', async () => {
    emulator.ecr.createRepository('multi/app');
    const pushedAt = new Date('2026-01-02T03:04:05.678Z');
    const pushed = emulator.ecr.pushImage({
      repository: 'multi/app',
      tags: ['1.2.3', '1.2', 'latest'],
      pushedAt,
      scan: { counts: { HIGH: 1, MEDIUM: 4 } },
    });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'multi/app' } }));
    const { candidates } = await source.list('app');
    expect(candidates.map((c) => c.tag)).toEqual(['1.2.3', '1.2', 'latest']);
    for (const candidate of candidates)
      expect(candidate).toEqual({
        tag: candidate.tag,
        digest: pushed.digest,
        pushedAt,
        sizeBytes: 1536,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactMediaType: 'application/vnd.oci.image.config.v1+json',
        scan: { status: 'COMPLETE', counts: { HIGH: 1, MEDIUM: 4 } },
      });
    source.close();
  });

  it('follows a moved tag after invalidation; the old image drops out untagged', async () => {
    emulator.ecr.createRepository('moves/app');
    const old = emulator.ecr.pushImage({ repository: 'moves/app', tags: ['stable', '1.0.0'] });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'moves/app' } }));
    expect((await source.list('app')).candidates.map((c) => [c.tag, c.digest])).toEqual([
      ['stable', old.digest],
      ['1.0.0', old.digest],
    ]);
    const next = emulator.ecr.pushImage({ repository: 'moves/app', tags: ['2.0.0'] });
    emulator.ecr.moveTag('moves/app', 'stable', next.digest);
    emulator.ecr.deleteImage('moves/app', { tag: '1.0.0' });
    expect((await source.list('app')).candidates.map((c) => c.tag)).toEqual(['stable', '1.0.0']);
    source.invalidate(['app']);
    const after = await source.list('app');
    expect(after.candidates.map((c) => [c.tag, c.digest])).toEqual([
      ['2.0.0', next.digest],
      ['stable', next.digest],
    ]);
    source.close();
  });

  it('gives a multi-arch image its index digest and skips untagged, cosign and referrer images', async () => {
    emulator.ecr.createRepository('arch/app');
    const index = emulator.ecr.pushIndex({ repository: 'arch/app', tags: ['4.0.0'] });
    emulator.ecr.pushReferrer({ repository: 'arch/app', subject: index.digest, kind: 'cosign-signature' });
    emulator.ecr.pushReferrer({ repository: 'arch/app', subject: index.digest, kind: 'cosign-attestation' });
    emulator.ecr.pushReferrer({ repository: 'arch/app', subject: index.digest, kind: 'cosign-sbom' });
    emulator.ecr.pushReferrer({
      repository: 'arch/app',
      subject: index.digest,
      kind: 'oci-referrer',
      tags: ['sig-of-4'],
    });
    emulator.ecr.pushImage({ repository: 'arch/app' });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'arch/app' } }));
    const listing = await source.list('app');
    expect(listing.candidates).toHaveLength(1);
    expect(listing.candidates[0]).toMatchObject({
      tag: '4.0.0',
      digest: index.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    expect(listing.skipped).toBe(4);
    source.close();
  });

  it('reads pages from the wire exactly as the SDK deserialises them', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 1500, prefix: 'wire/mix-' });
    const repository = 'wire/mix-0';
    const index = emulator.ecr.pushIndex({ repository, tags: ['9.0.0', 'stable'] });
    emulator.ecr.pushReferrer({ repository, subject: index.digest, kind: 'cosign-signature' });
    emulator.ecr.pushReferrer({ repository, subject: index.digest, kind: 'oci-referrer', tags: ['sig'] });
    emulator.ecr.pushImage({ repository, tags: ['8.0.0', 'latest'], scan: { counts: { HIGH: 2 } } });
    emulator.ecr.pushImage({ repository, pushedAt: new Date('2026-03-04T05:06:07.089Z'), tags: ['7.0.0'] });
    emulator.ecr.pushImage({ repository });

    const source = sourceFor(emulator, configFor(emulator, { mix: { name: repository } }));
    const fromWire = await source.list('mix');
    source.close();

    // The same pages through the SDK's own deserialiser, into the same compact form.
    const client = clientFor(emulator);
    const builder = new ListingBuilder();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new DescribeImagesCommand({
          repositoryName: repository,
          filter: { tagStatus: 'TAGGED' },
          maxResults: 1000,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      builder.add(page.imageDetails);
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    client.destroy();
    const fromSdk = builder.build();

    expect(fromWire.pages).toBe(pages);
    expect(fromWire.candidates.length).toBeGreaterThan(1500);
    expect(fromWire.candidates).toEqual(fromSdk.candidates());
    expect(fromWire.skipped).toBe(fromSdk.skipped);
  });

  it('makes exactly Σ ceil(images/1000) calls over many repositories, an empty one costing one', async () => {
    const sizes = [0, 1, 999, 1000, 1001, 2000];
    const names = sizes.map((size, index) => {
      emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: size, prefix: `economy/s${index}-` });
      return `economy/s${index}-0`;
    });
    const images = Object.fromEntries(names.map((name, index) => [`k${index}`, { name }]));
    const { calls, onCall } = recorder();
    const source = sourceFor(emulator, configFor(emulator, images, { maxConcurrency: 3 }), { onCall });
    emulator.server.resetCalls();
    const progress: number[] = [];
    const result = await source.listMany(Object.keys(images), { onProgress: (done) => progress.push(done) });
    const expected = sizes.reduce((sum, size) => sum + Math.max(1, Math.ceil(size / 1000)), 0);
    expect(emulator.server.calls()).toBe(expected);
    expect(calls).toHaveLength(expected);
    expect(result.failed.size).toBe(0);
    expect(Object.keys(images).map((key) => result.listed.get(key)?.candidates)).toEqual(sizes);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    await source.list('k5');
    expect(emulator.server.calls()).toBe(expected);
    source.close();
  });
});

describe('ECR source: failures and retries', () => {
  it('recovers from throttling with retries, reporting each attempt', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 10, prefix: 'throttle/a-' });
    const { calls, onCall } = recorder();
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'throttle/a-0' } }), { onCall });
    emulator.faults.throttleNext(2, 'DescribeImages');
    const listing = await source.list('app');
    expect(listing.candidates).toHaveLength(10);
    expect(calls).toEqual(['DescribeImages:throttled', 'DescribeImages:throttled', 'DescribeImages:ok']);
    source.close();
  });

  it('recovers from 500s on every other call across pages', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 2100, prefix: 'flaky/a-' });
    const { calls, onCall } = recorder();
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'flaky/a-0' } }), { onCall });
    emulator.faults.failEvery(2, 'DescribeImages');
    try {
      const listing = await source.list('app');
      expect(listing.candidates).toHaveLength(2100);
      expect(listing.pages).toBe(3);
      expect(calls.filter((c) => c.endsWith(':error'))).toHaveLength(2);
      expect(calls.filter((c) => c.endsWith(':ok'))).toHaveLength(3);
    } finally {
      emulator.faults.clear();
      source.close();
    }
  });

  it('gives up after maxAttempts with a retryable RegistryError', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 1, prefix: 'throttle/b-' });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'throttle/b-0' } }), {
      maxAttempts: 2,
    });
    emulator.faults.throttleNext(2, 'DescribeImages');
    const error = await source.list('app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true });
    expect((error as RegistryError).hint).toMatch(/maxConcurrency/);
    source.close();
  });

  it('reports not-found and access-denied per repository while the others succeed', async () => {
    emulator.ecr.bulkCreate({ repositories: 3, imagesPerRepository: 3, prefix: 'mixed/ok-' });
    emulator.ecr.createRepository('mixed/locked');
    emulator.ecr.denyAccess('mixed/locked');
    const parsed = configFor(emulator, {
      a: { name: 'mixed/ok-0' },
      gone: { name: 'mixed/gone' },
      b: { name: 'mixed/ok-1' },
      locked: { name: 'mixed/locked' },
      c: { name: 'mixed/ok-2' },
    });
    // The loader refuses such a URI; the source must still not let it stop the others.
    const config = { ...parsed, images: { ...parsed.images, bad: { repository: 'ghcr.io/acme/app' } } };
    const source = sourceFor(emulator, config, { maxAttempts: 2 });
    const result = await source.listMany(Object.keys(config.images), { concurrency: 2 });
    expect([...result.listed.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect([...result.failed.keys()].sort()).toEqual(['bad', 'gone', 'locked']);

    const gone = result.failed.get('gone');
    expect(gone).toMatchObject({ code: 'RepositoryNotFoundException', retryable: false });
    expect(gone?.context).toMatchObject({
      image: 'gone',
      repository: emulator.ecr.repositoryUri('mixed/gone'),
    });
    expect(gone?.hint).toMatch(/check the URI in images\.gone\.repository, the region/);

    const locked = result.failed.get('locked');
    expect(locked).toMatchObject({ code: 'AccessDeniedException', retryable: false });
    expect(locked?.hint).toContain(
      `allow ecr:DescribeImages on arn:aws:ecr:eu-west-1:${emulator.accountId}:repository/mixed/locked`,
    );
    expect(result.failed.get('bad')).toMatchObject({ code: 'InvalidRepositoryUri', retryable: false });
    await expect(source.list('locked')).rejects.toBeInstanceOf(RegistryError);
    source.close();
  });
});

describe('ECR source: scan gate, cache and endpoints', () => {
  it('calls DescribeImageScanFindings only for candidates asked about without a summary, once each', async () => {
    emulator.ecr.createRepository('scan/app');
    emulator.ecr.pushImage({ repository: 'scan/app', tags: ['summarised'], scan: { counts: { LOW: 1 } } });
    emulator.ecr.pushImage({
      repository: 'scan/app',
      tags: ['a'],
      scan: { counts: { CRITICAL: 2 }, summary: false },
    });
    emulator.ecr.pushImage({
      repository: 'scan/app',
      tags: ['b'],
      scan: { status: 'IN_PROGRESS', summary: false },
    });
    emulator.ecr.pushImage({ repository: 'scan/app', tags: ['never'] });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'scan/app' } }));
    const listing = await source.list('app');
    const [summarised, a, b, never] = listing.candidates;
    expect(a?.scan).toBeUndefined();
    emulator.server.resetCalls();
    expect(await source.scanFindings('app', summarised!)).toEqual({ status: 'COMPLETE', counts: { LOW: 1 } });
    expect(emulator.server.calls('DescribeImageScanFindings')).toBe(0);
    expect(await source.scanFindings('app', a!)).toEqual({ status: 'COMPLETE', counts: { CRITICAL: 2 } });
    expect(await source.scanFindings('app', a!)).toEqual({ status: 'COMPLETE', counts: { CRITICAL: 2 } });
    expect(emulator.server.calls('DescribeImageScanFindings')).toBe(1);
    expect(await source.scanFindings('app', b!)).toEqual({ status: 'IN_PROGRESS', counts: {} });
    expect(await source.scanFindings('app', never!)).toEqual({ status: 'UNKNOWN', counts: {} });
    expect(emulator.server.calls('DescribeImageScanFindings')).toBe(3);
    expect(emulator.server.calls()).toBe(3);
    source.close();
  });

  it('reuses a cached listing until invalidated, asked fresh, or older than the TTL', async () => {
    emulator.ecr.bulkCreate({ repositories: 2, imagesPerRepository: 5, prefix: 'cache/r-' });
    let clock = new Date('2026-03-01T00:00:00Z');
    const config = configFor(emulator, { one: { name: 'cache/r-0' }, two: { name: 'cache/r-1' } });
    const source = sourceFor(emulator, config, { now: () => clock, cacheTtlMs: 60_000 });
    emulator.server.resetCalls();
    await source.listMany(['one', 'two']);
    await source.list('one');
    await source.list('two');
    expect(emulator.server.calls()).toBe(2);
    source.invalidate(['one']);
    await source.listMany(['one', 'two']);
    expect(emulator.server.calls()).toBe(3);
    await source.listMany(['one', 'two'], { fresh: true });
    expect(emulator.server.calls()).toBe(5);
    clock = new Date(clock.getTime() + 61_000);
    await source.list('two');
    expect(emulator.server.calls()).toBe(6);
    source.invalidate();
    await Promise.all([source.list('one'), source.list('one')]);
    expect(emulator.server.calls()).toBe(7);
    source.close();
  });

  it('does not reuse or cache a listing begun before an invalidation', async () => {
    emulator.ecr.createRepository('cache/race');
    emulator.ecr.pushImage({ repository: 'cache/race', tags: ['1.0.0'] });
    const source = sourceFor(emulator, configFor(emulator, { app: { name: 'cache/race' } }));
    emulator.server.resetCalls();
    emulator.faults.latency(100);
    try {
      const early = source.list('app');
      await new Promise((resolve) => setTimeout(resolve, 20));
      emulator.ecr.pushImage({ repository: 'cache/race', tags: ['1.1.0'] });
      source.invalidate(['app']);
      const late = source.list('app');
      // When the early call is counted depends on timing; what matters is that the late one made its own.
      await early;
      const lateListing = await late;
      expect(emulator.server.calls('DescribeImages')).toBe(2);
      expect(lateListing.candidates.map((c) => c.tag)).toEqual(['1.0.0', '1.1.0']);
      expect((await source.list('app')).fetchedAt).toBe(lateListing.fetchedAt);
      expect(emulator.server.calls('DescribeImages')).toBe(2);
    } finally {
      emulator.faults.clear();
      source.close();
    }
  });

  it('honours AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL from the given env; aws.endpoint wins', async () => {
    emulator.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 2, prefix: 'endpoint/r-' });
    const bare = configFor(emulator, { app: { name: 'endpoint/r-0' } });
    const withoutEndpoint = { ...bare, aws: { ...bare.aws, endpoint: undefined } };
    for (const env of [
      { AWS_ENDPOINT_URL_ECR: emulator.endpoint },
      { AWS_ENDPOINT_URL: emulator.endpoint },
    ]) {
      const source = sourceFor(emulator, withoutEndpoint, { env });
      expect((await source.list('app')).candidates).toHaveLength(2);
      expect(source.resolve('app').client.endpoint).toBe(emulator.endpoint);
      source.close();
    }
    const wins = sourceFor(emulator, bare, { env: { AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:9' } });
    expect((await wins.list('app')).candidates).toHaveLength(2);
    wins.close();
    const ignored = sourceFor(emulator, withoutEndpoint, {
      env: { AWS_ENDPOINT_URL: emulator.endpoint, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
    });
    expect(ignored.resolve('app').client.endpoint).toBeUndefined();
    ignored.close();
  });

  it('takes region and registry from the URI unless the image or aws.region overrides it', () => {
    const config = configFor(emulator, {
      plain: { repository: '210987654321.dkr.ecr.ap-south-1.amazonaws.com/x' },
      pinned: { repository: '210987654321.dkr.ecr.ap-south-1.amazonaws.com/y', region: 'eu-central-1' },
    });
    const source = sourceFor(emulator, config);
    expect(source.resolve('plain').repository).toMatchObject({
      registryId: '210987654321',
      region: 'ap-south-1',
      name: 'x',
    });
    expect(source.resolve('pinned').client.region).toBe('eu-central-1');
    const global = sourceFor(emulator, { ...config, aws: { ...config.aws, region: 'us-west-2' } });
    expect(global.resolve('plain').client.region).toBe('us-west-2');
    expect(global.resolve('pinned').client.region).toBe('eu-central-1');
    expect(() => source.resolve('nope')).toThrow(RegistryError);
    source.close();
    global.close();
  });
});
