import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { clientFor } from './helpers.js';

let emulator: Emulator;
let ecr: ECRClient;
let repoCount = 0;
let repo: string;

beforeAll(async () => {
  emulator = await startEmulator();
  ecr = clientFor(emulator);
});
afterAll(async () => {
  ecr.destroy();
  await emulator.close();
});
beforeEach(() => {
  repoCount += 1;
  repo = `semantics/repo-${repoCount}`;
  emulator.ecr.createRepository(repo);
});

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function describeAll(tagStatus: 'TAGGED' | 'UNTAGGED' | 'ANY') {
  const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repo, filter: { tagStatus } }));
  return out.imageDetails ?? [];
}

describe('ECR emulator', () => {
  it('names an image by the sha256 of its manifest bytes (PutImage and BatchGetImage)', async () => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('c'), size: 10 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256('l'), size: 90 }],
    });
    const put = await ecr.send(
      new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageTag: 'v1' }),
    );
    expect(put.image?.imageId?.imageDigest).toBe(sha256(manifest));
    const got = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: repo,
        imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }],
      }),
    );
    expect(got.images?.[0]?.imageManifest).toBe(manifest);
    expect(got.failures?.[0]?.failureCode).toBe('ImageNotFound');
    const [detail] = await describeAll('TAGGED');
    expect(detail).toMatchObject({ imageDigest: sha256(manifest), imageTags: ['v1'], imageSizeInBytes: 100 });
    await expect(
      ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageTag: 'v1' })),
    ).rejects.toMatchObject({ name: 'ImageAlreadyExistsException' });
    await expect(
      ecr.send(
        new PutImageCommand({ repositoryName: repo, imageManifest: manifest, imageDigest: sha256('other') }),
      ),
    ).rejects.toMatchObject({ name: 'ImageDigestDoesNotMatchException' });
  });

  it('moving a tag leaves the old image untagged; tags are unique per repository', async () => {
    const old = emulator.ecr.pushImage({ repository: repo, tags: ['latest', '1.0.0'] });
    const next = emulator.ecr.pushImage({ repository: repo, tags: ['2.0.0'] });
    emulator.ecr.moveTag(repo, 'latest', next.digest);
    emulator.ecr.moveTag(repo, '1.0.0', next.digest);
    const tagged = await describeAll('TAGGED');
    expect(tagged.map((d) => [d.imageDigest, d.imageTags])).toEqual([
      [next.digest, ['2.0.0', 'latest', '1.0.0']],
    ]);
    const untagged = await describeAll('UNTAGGED');
    expect(untagged.map((d) => d.imageDigest)).toEqual([old.digest]);
    expect(untagged[0]?.imageTags).toBeUndefined();
    expect(await describeAll('ANY')).toHaveLength(2);
  });

  it('a tag pushed again onto new content moves (PutImage)', async () => {
    const first = emulator.ecr.pushImage({ repository: repo, tags: ['main'] });
    const second = await ecr.send(
      new PutImageCommand({
        repositoryName: repo,
        imageTag: 'main',
        imageManifest: '{"schemaVersion":2,"layers":[]}',
      }),
    );
    const list = await ecr.send(
      new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: 'ANY' } }),
    );
    expect(list.imageIds).toEqual([
      { imageDigest: first.digest },
      { imageDigest: second.image?.imageId?.imageDigest, imageTag: 'main' },
    ]);
  });

  it('sends imagePushedAt as epoch seconds with a fraction', async () => {
    emulator.ecr.pushImage({ repository: repo, tags: ['t'], pushedAt: new Date(1_700_000_000_123) });
    const [detail] = await describeAll('TAGGED');
    expect(detail?.imagePushedAt?.getTime()).toBe(1_700_000_000_123);
  });

  it('pages with an opaque nextToken and validates maxResults', async () => {
    for (let i = 0; i < 7; i += 1) emulator.ecr.pushImage({ repository: repo, tags: [`t${i}`] });
    emulator.ecr.pushImage({ repository: repo });
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await ecr.send(
        new DescribeImagesCommand({
          repositoryName: repo,
          filter: { tagStatus: 'TAGGED' },
          maxResults: 3,
          nextToken,
        }),
      );
      pages += 1;
      seen.push(...(out.imageDetails ?? []).flatMap((d) => d.imageTags ?? []));
      nextToken = out.nextToken;
      if (nextToken) expect(nextToken).not.toMatch(/^\d+$/);
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);

    const defaultPage = await ecr.send(new DescribeImagesCommand({ repositoryName: repo }));
    expect(defaultPage.imageDetails).toHaveLength(8);
    for (const maxResults of [0, 1001])
      await expect(
        ecr.send(new DescribeImagesCommand({ repositoryName: repo, maxResults })),
      ).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: repo, nextToken: 'garbage' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const first = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repo, maxResults: 1, filter: { tagStatus: 'TAGGED' } }),
    );
    await expect(
      ecr.send(
        new DescribeImagesCommand({
          repositoryName: repo,
          nextToken: first.nextToken,
          filter: { tagStatus: 'ANY' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('describes imageIds without paging and refuses imageIds with paging', async () => {
    const pushed = emulator.ecr.pushImage({ repository: repo, tags: ['a'] });
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageDigest: pushed.digest }] }),
    );
    expect(out.imageDetails?.[0]?.imageTags).toEqual(['a']);
    await expect(
      ecr.send(
        new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'a' }], maxResults: 5 }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'missing' }] })),
    ).rejects.toMatchObject({ name: 'ImageNotFoundException' });
  });

  it('pushes a multi-arch index: platform manifests untagged, the tag on the index', async () => {
    const index = emulator.ecr.pushIndex({ repository: repo, tags: ['3.0.0'] });
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: '3.0.0' }] }),
    );
    const manifest = got.images?.[0]?.imageManifest ?? '';
    expect(sha256(manifest)).toBe(index.digest);
    expect(
      (JSON.parse(manifest) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
    ).toEqual(index.platformDigests);
    const tagged = await describeAll('TAGGED');
    expect(tagged).toMatchObject([
      { imageDigest: index.digest, imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' },
    ]);
    expect((await describeAll('UNTAGGED')).map((d) => d.imageDigest)).toEqual(index.platformDigests);
  });

  it('marks referrers with subjectManifestDigest and cosign artefacts with sha256-<hex> tags', async () => {
    const image = emulator.ecr.pushImage({ repository: repo, tags: ['1.0.0'] });
    emulator.ecr.pushReferrer({ repository: repo, subject: image.digest, kind: 'cosign-signature' });
    emulator.ecr.pushReferrer({ repository: repo, subject: image.digest, kind: 'oci-referrer' });
    const all = await describeAll('ANY');
    expect(all.map((d) => d.imageTags)).toEqual([
      ['1.0.0'],
      [`${image.digest.replace(':', '-')}.sig`],
      undefined,
    ]);
    expect(all[2]).toMatchObject({
      subjectManifestDigest: image.digest,
      artifactMediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
  });

  it('answers scan findings, ScanNotFoundException and the summary switch', async () => {
    const scanned = emulator.ecr.pushImage({
      repository: repo,
      tags: ['s'],
      scan: { counts: { CRITICAL: 1, LOW: 2 }, summary: false },
    });
    const unscanned = emulator.ecr.pushImage({ repository: repo, tags: ['u'] });
    const [detail] = await describeAll('TAGGED');
    expect(detail?.imageScanStatus?.status).toBe('COMPLETE');
    expect(detail?.imageScanFindingsSummary).toBeUndefined();
    const findings = await ecr.send(
      new DescribeImageScanFindingsCommand({
        repositoryName: repo,
        imageId: { imageDigest: scanned.digest },
        maxResults: 2,
      }),
    );
    expect(findings.imageScanFindings?.findingSeverityCounts).toEqual({ CRITICAL: 1, LOW: 2 });
    expect(findings.imageScanFindings?.findings?.map((f) => f.severity)).toEqual(['CRITICAL', 'LOW']);
    expect(findings.nextToken).toBeDefined();
    await expect(
      ecr.send(
        new DescribeImageScanFindingsCommand({
          repositoryName: repo,
          imageId: { imageDigest: unscanned.digest },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ScanNotFoundException' });
    emulator.ecr.setScanFindings(repo, unscanned.digest, { status: 'COMPLETE', counts: {} });
    const described = await describeAll('TAGGED');
    expect(described[1]?.imageScanFindingsSummary?.findingSeverityCounts).toEqual({});
  });

  it('answers AWS-shaped errors: unknown repository, denied access, foreign registry', async () => {
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: 'no/such' }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    emulator.ecr.denyAccess(repo, 'DescribeImages');
    const denied = ecr.send(new DescribeImagesCommand({ repositoryName: repo }));
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(denied).rejects.toThrow(
      /not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:/,
    );
    await expect(ecr.send(new ListImagesCommand({ repositoryName: repo }))).resolves.toBeDefined();
    emulator.ecr.allowAccess(repo);
    await expect(ecr.send(new DescribeImagesCommand({ repositoryName: repo }))).resolves.toBeDefined();
    await expect(
      ecr.send(new DescribeImagesCommand({ repositoryName: repo, registryId: '999999999999' })),
    ).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('describes repositories and hands out a 12-hour authorization token', async () => {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }));
    expect(out.repositories?.[0]).toMatchObject({
      repositoryName: repo,
      repositoryUri: `${emulator.accountId}.dkr.ecr.${emulator.region}.amazonaws.com/${repo}`,
    });
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = token.authorizationData?.[0];
    expect(Buffer.from(data?.authorizationToken ?? '', 'base64').toString()).toMatch(/^AWS:/);
    expect((data?.expiresAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(11 * 3600_000);
  });

  it('bulk-creates synthetic repositories that behave like stored ones', async () => {
    const [name = ''] = emulator.ecr.bulkCreate({
      repositories: 2,
      imagesPerRepository: 5,
      prefix: `bulk${repoCount}/r-`,
    });
    const listed = await ecr.send(new DescribeImagesCommand({ repositoryName: name, maxResults: 2 }));
    expect(listed.imageDetails?.map((d) => d.imageTags)).toEqual([['1.0.0'], ['1.0.1']]);
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: '1.0.1' }] }),
    );
    expect(sha256(got.images?.[0]?.imageManifest ?? '')).toBe(listed.imageDetails?.[1]?.imageDigest);
    const extra = emulator.ecr.pushImage({ repository: name, tags: ['1.0.1'] });
    const after = await ecr.send(
      new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'TAGGED' } }),
    );
    expect(after.imageDetails?.map((d) => d.imageDigest)).toHaveLength(5);
    expect(after.imageDetails?.at(-1)?.imageDigest).toBe(extra.digest);
  });
});
