import type { ImageDetail } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../src/map-bounded.js';
import { codeOf, toRegistryError } from '../../src/registries/ecr/errors.js';
import {
  isCosignTag,
  isReferrer,
  ListingBuilder,
  TAG_KEPT_LENGTH,
} from '../../src/registries/ecr/listing.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const detail = (n: number, extra: Partial<ImageDetail> = {}): ImageDetail => ({
  imageDigest: `sha256:${hex(n)}`,
  imageTags: [`v${n}`],
  imagePushedAt: new Date(1_700_000_000_000 + n * 1000),
  imageSizeInBytes: 100 + n,
  imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  ...extra,
});

describe('ListingBuilder', () => {
  it('round-trips candidates through the compact form', () => {
    const builder = new ListingBuilder();
    builder.add([detail(1), detail(2, { imageTags: ['a', 'b'], artifactMediaType: 'x/y' })]);
    builder.add([detail(3, { imageSizeInBytes: undefined, imageManifestMediaType: undefined })]);
    const listing = builder.build();
    expect(listing).toMatchObject({ candidateCount: 4, imageCount: 3, skipped: 0 });
    const candidates = listing.candidates();
    expect(candidates.map((c) => [c.tag, c.digest, c.pushedAt.getTime(), c.sizeBytes])).toEqual([
      ['v1', `sha256:${hex(1)}`, 1_700_000_001_000, 101],
      ['a', `sha256:${hex(2)}`, 1_700_000_002_000, 102],
      ['b', `sha256:${hex(2)}`, 1_700_000_002_000, 102],
      ['v3', `sha256:${hex(3)}`, 1_700_000_003_000, undefined],
    ]);
    expect(candidates[1]?.artifactMediaType).toBe('x/y');
    expect(candidates[1]?.pushedAt).toBe(candidates[2]?.pushedAt);
    expect(Object.keys(candidates[3] ?? {})).toEqual(['tag', 'digest', 'pushedAt']);
    expect(listing.candidates()).not.toBe(candidates);
    expect(listing.candidates()).toEqual(candidates);
  });

  it('keeps tags of any length ECR allows, across pages', () => {
    const long = `v${'x'.repeat(299)}`;
    const builder = new ListingBuilder();
    builder.add([detail(1, { imageTags: ['a', long] }), detail(2, { imageTags: ['b'] })]);
    builder.add([]);
    builder.add([detail(3, { imageTags: ['c', 'dd'] })]);
    const listing = builder.build();
    expect(listing.candidates().map((c) => [c.tag, c.digest])).toEqual([
      ['a', `sha256:${hex(1)}`],
      [long, `sha256:${hex(1)}`],
      ['b', `sha256:${hex(2)}`],
      ['c', `sha256:${hex(3)}`],
      ['dd', `sha256:${hex(3)}`],
    ]);
  });

  it('refuses images whose digest is not lower-case sha256, and says why', () => {
    const upper = `sha256:${hex(10).toUpperCase()}`;
    const builder = new ListingBuilder();
    builder.add([detail(1), detail(2, { imageDigest: upper }), detail(3, { imageDigest: 'sha512:abc' })]);
    const listing = builder.build();
    expect(listing.candidates().map((c) => c.digest)).toEqual([`sha256:${hex(1)}`]);
    expect(listing.skipped).toBe(2);
    expect(listing.refused.map((r) => [r.reason, r.tags, r.detail])).toEqual([
      ['invalid-digest', ['v2'], 'not sha256: followed by 64 lower-case hex digits'],
      ['invalid-digest', ['v3'], 'not a sha256 digest'],
    ]);
  });

  it('refuses images the answer puts in another repository or registry', () => {
    const builder = new ListingBuilder({ registryId: '123456789012', name: 'podinfo' });
    builder.add([
      detail(1, { repositoryName: 'podinfo', registryId: '123456789012' }),
      detail(2, { repositoryName: 'other' }),
      detail(3, { registryId: '999999999999' }),
    ]);
    const listing = builder.build();
    expect(listing.candidates().map((c) => c.tag)).toEqual(['v1']);
    expect(listing.refused.map((r) => r.reason)).toEqual(['foreign-repository', 'foreign-repository']);
  });

  it('keeps hostile tags for the policy to reject, cut at TAG_KEPT_LENGTH, and survives odd JSON', () => {
    const builder = new ListingBuilder();
    const long = 'x'.repeat(70_000);
    builder.add([
      detail(1, { imageTags: ['a\nb', long, 7 as unknown as string] }),
      detail(2, { imagePushedAt: 'yesterday' as unknown as Date }),
    ]);
    const tags = builder
      .build()
      .candidates()
      .map((c) => c.tag);
    expect(tags).toEqual(['a\nb', 'x'.repeat(TAG_KEPT_LENGTH), 'v2']);
  });

  it('keeps sizes of 4 GiB and more', () => {
    const builder = new ListingBuilder();
    builder.add([detail(1, { imageSizeInBytes: 5_000_000_000 }), detail(2, { imageSizeInBytes: undefined })]);
    expect(
      builder
        .build()
        .candidates()
        .map((c) => c.sizeBytes),
    ).toEqual([5_000_000_000, undefined]);
  });

  it('skips untagged images, cosign tags and referrers, counting them', () => {
    const sig = `sha256-${hex(1)}.sig`;
    const builder = new ListingBuilder();
    builder.add([
      detail(1, { imageTags: undefined }),
      detail(2, { imageTags: [sig, `sha256-${hex(1)}.att`] }),
      detail(3, { imageTags: ['keep', `sha256-${hex(9)}.sbom`] }),
      detail(4, { subjectManifestDigest: `sha256:${hex(3)}` }),
      detail(5, { artifactMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' }),
    ]);
    const listing = builder.build();
    expect(listing.candidates().map((c) => c.tag)).toEqual(['keep']);
    expect(listing.skipped).toBe(6);
  });

  it('shares one ScanFacts object between images with the same summary', () => {
    const scan = {
      imageScanStatus: { status: 'COMPLETE' as const },
      imageScanFindingsSummary: { findingSeverityCounts: { HIGH: 2, BOGUS: 1 } as Record<string, number> },
    };
    const builder = new ListingBuilder();
    builder.add([
      detail(1, scan),
      detail(2, scan),
      detail(3, { imageScanStatus: { status: 'IN_PROGRESS' } }),
    ]);
    const [a, b, c] = builder.build().candidates();
    expect(a?.scan).toEqual({ status: 'COMPLETE', counts: { HIGH: 2 } });
    expect(a?.scan).toBe(b?.scan);
    expect(c?.scan).toBeUndefined();
  });

  it('recognises cosign tags and referrers', () => {
    expect(isCosignTag(`sha256-${hex(7)}.sig`)).toBe(true);
    expect(isCosignTag(`sha256-${hex(7)}.sigs`)).toBe(false);
    expect(isCosignTag('sha256-abc.sig')).toBe(false);
    expect(isReferrer({ artifactMediaType: 'application/vnd.oci.image.config.v1+json' })).toBe(false);
    expect(isReferrer({ artifactMediaType: 'application/spdx+json' })).toBe(true);
  });
});

describe('registry errors', () => {
  const scope = {
    imageKey: 'api',
    operation: 'DescribeImages',
    repository: { uri: '1.dkr', registryId: '123456789012', region: 'cn-north-1', name: 'acme/api' },
  };

  it.each([
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED', true],
    [
      Object.assign(new Error('boom'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
      'InternalFailure',
      true,
    ],
    [Object.assign(new Error('slow'), { name: 'TimeoutError' }), 'TimeoutError', true],
    [
      Object.assign(new Error('bad'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
      'InvalidParameterException',
      false,
    ],
    ['a string', 'Error', false],
  ])('classifies %s', (error, code, retryable) => {
    expect(codeOf(error)).toBe(code);
    expect(toRegistryError(error, scope)).toMatchObject({ code, retryable });
  });

  it('names the partition in the ARN of an access-denied hint', () => {
    const error = Object.assign(
      new Error('User: x is not authorized to perform: ecr:DescribeImages on resource'),
      {
        name: 'AccessDeniedException',
      },
    );
    const chinese = {
      ...scope,
      repository: { ...scope.repository, uri: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/acme/api' },
    };
    expect(toRegistryError(error, chinese).hint).toContain(
      'allow ecr:DescribeImages on arn:aws-cn:ecr:cn-north-1:123456789012:repository/acme/api',
    );
  });
});

describe('mapBounded', () => {
  it('never runs more than the limit at once and reports progress', async () => {
    let running = 0;
    let peak = 0;
    const progress: number[] = [];
    await mapBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
      },
      (done) => progress.push(done),
    );
    expect(peak).toBe(3);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
