/**
 * ECR's AWS JSON 1.1 operations over the EcrStore, shaped like the real service's answers:
 * epoch-second timestamps with a fraction, optional fields omitted rather than null.
 */
import type { EcrStore } from './ecr.js';
import { ImageDetailsWriter, scanDescription } from './ecr-json.js';
import { sha256Digest } from './ecr-manifest.js';
import type { EcrRepository, ImageRecord, TagStatus } from './ecr-repository.js';
import {
  decodeToken,
  encodeToken,
  epochSeconds,
  maxResults,
  optionalString,
  requireString,
} from './ecr-paging.js';
import { AwsError, type AwsService, type RequestContext } from './server.js';

type Input = Record<string, unknown>;
type Handler = (store: EcrStore, input: Input, caller: string) => unknown;

const SEVERITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'] as const;
const TAGS_PER_IMAGE = 1000;

export function ecrService(store: EcrStore): AwsService {
  return {
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    contentType: 'application/x-amz-json-1.1',
    handle: async (operation, input, context) => {
      const handler = HANDLERS[operation];
      if (!handler) throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
      const caller = callerOf(store, context);
      store.noteCaller(accessKeyOf(context));
      const repositoryName = input['repositoryName'];
      if (typeof repositoryName === 'string') store.checkAccess(repositoryName, operation, caller);
      return handler(store, input, caller);
    },
  };
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeRepositories: describeRepositories,
  DescribeImages: describeImages,
  ListImages: listImages,
  BatchGetImage: batchGetImage,
  DescribeImageScanFindings: describeImageScanFindings,
  GetAuthorizationToken: getAuthorizationToken,
  PutImage: putImage,
};

function repositoryOf(store: EcrStore, input: Input): EcrRepository {
  const name = requireString(input, 'repositoryName');
  const registryId = optionalString(input, 'registryId');
  if (registryId !== undefined && registryId !== store.accountId)
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    );
  return store.repository(name);
}

function tagStatusOf(input: Input): TagStatus {
  const filter = input['filter'] as { tagStatus?: unknown } | undefined;
  const status = filter?.tagStatus ?? 'ANY';
  if (status === 'TAGGED' || status === 'UNTAGGED' || status === 'ANY') return status;
  throw new AwsError(
    'InvalidParameterException',
    `Invalid parameter at 'filter.tagStatus': ${JSON.stringify(status)}`,
  );
}

interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

function imageIdsOf(input: Input): readonly ImageId[] | undefined {
  const ids = input['imageIds'];
  if (ids === undefined || ids === null) return undefined;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100)
    throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageIds': between 1 and 100 ids");
  return ids as ImageId[];
}

function describeRepositories(store: EcrStore, input: Input): unknown {
  const names = input['repositoryNames'];
  const shape = (name: string) => {
    const repository = store.repository(name);
    return {
      repositoryArn: store.repositoryArn(name),
      registryId: store.accountId,
      repositoryName: name,
      repositoryUri: store.repositoryUri(name),
      createdAt: epochSeconds(repository.createdAt),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  };
  if (Array.isArray(names)) {
    if (input['nextToken'] !== undefined || input['maxResults'] !== undefined)
      throw new AwsError('InvalidParameterException', 'repositoryNames cannot be combined with paging');
    return { repositories: names.map((name) => shape(String(name))) };
  }
  const max = maxResults(input, 100, 1000);
  const from = decodeToken(input['nextToken'], 'DescribeRepositories', '');
  const all = store.repositoryNames();
  const slice = all.slice(from, from + max);
  const end = from + slice.length;
  return {
    repositories: slice.map(shape),
    ...(end < all.length ? { nextToken: encodeToken('DescribeRepositories', '', end) } : {}),
  };
}

/** One image as DescribeImages describes it; ecr-json.ts writes the same fields as text for pages. */
export function imageDetail(
  store: EcrStore,
  repository: EcrRepository,
  record: ImageRecord,
): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    registryId: store.accountId,
    repositoryName: record.answeredRepositoryName ?? repository.name,
    imageDigest: record.digest,
  };
  if (record.tags.length > 0) detail['imageTags'] = record.tags;
  detail['imageSizeInBytes'] = record.sizeBytes;
  detail['imagePushedAt'] = epochSeconds(record.pushedAt);
  detail['imageManifestMediaType'] = record.mediaType;
  if (record.artifactMediaType) detail['artifactMediaType'] = record.artifactMediaType;
  if (record.subjectDigest) detail['subjectManifestDigest'] = record.subjectDigest;
  const scan = record.scan;
  if (scan) {
    detail['imageScanStatus'] = { status: scan.status, description: scanDescription(scan.status) };
    if (scan.summary)
      detail['imageScanFindingsSummary'] = {
        imageScanCompletedAt: epochSeconds(scan.completedAt),
        vulnerabilitySourceUpdatedAt: epochSeconds(scan.completedAt),
        findingSeverityCounts: scan.counts,
      };
  }
  return detail;
}

function describeImages(store: EcrStore, input: Input): unknown {
  const repository = repositoryOf(store, input);
  const ids = imageIdsOf(input);
  if (ids) {
    if (input['nextToken'] !== undefined || input['maxResults'] !== undefined)
      throw new AwsError(
        'InvalidParameterException',
        'imageIds cannot be combined with maxResults or nextToken',
      );
    return {
      imageDetails: ids.map((id) => {
        const record = repository.find({ digest: id.imageDigest, tag: id.imageTag });
        if (!record) throw store.imageNotFound(repository.name, describeId(id));
        return imageDetail(store, repository, record);
      }),
    };
  }
  const status = tagStatusOf(input);
  const max = maxResults(input, 100, 1000);
  const scope = `${repository.name}|${status}`;
  const page = repository.page(status, decodeToken(input['nextToken'], 'DescribeImages', scope), max);
  const writer = new ImageDetailsWriter(store.accountId, repository.name);
  for (const record of page.items) writer.add(record);
  return writer.finish(page.next === undefined ? undefined : encodeToken('DescribeImages', scope, page.next));
}

function listImages(store: EcrStore, input: Input): unknown {
  const repository = repositoryOf(store, input);
  const status = tagStatusOf(input);
  const max = maxResults(input, 100, 1000);
  const scope = `${repository.name}|${status}`;
  const from = decodeToken(input['nextToken'], 'ListImages', scope);
  const rows: ImageId[] = [];
  let seq = Math.floor(from / TAGS_PER_IMAGE);
  let first = from % TAGS_PER_IMAGE;
  for (;;) {
    const page = repository.page(status, seq, max);
    for (const record of page.items) {
      const tags: (string | undefined)[] = record.tags.length > 0 ? record.tags : [undefined];
      for (let index = record.seq === seq ? first : 0; index < tags.length; index += 1) {
        if (rows.length === max)
          return {
            imageIds: rows,
            nextToken: encodeToken('ListImages', scope, record.seq * TAGS_PER_IMAGE + index),
          };
        const tag = tags[index];
        rows.push(
          tag === undefined ? { imageDigest: record.digest } : { imageDigest: record.digest, imageTag: tag },
        );
      }
    }
    if (page.next === undefined) return { imageIds: rows };
    seq = page.next;
    first = 0;
  }
}

function batchGetImage(store: EcrStore, input: Input): unknown {
  const repository = repositoryOf(store, input);
  const ids = imageIdsOf(input) ?? [];
  const images: unknown[] = [];
  const failures: unknown[] = [];
  for (const id of ids) {
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      failures.push({
        imageId: id,
        failureCode: 'MissingDigestAndTag',
        failureReason: 'Missing digest and tag',
      });
      continue;
    }
    const record = repository.find({ digest: id.imageDigest, tag: id.imageTag });
    if (!record) {
      const mismatch =
        id.imageDigest !== undefined && id.imageTag !== undefined && repository.find({ tag: id.imageTag });
      failures.push(
        mismatch
          ? {
              imageId: id,
              failureCode: 'ImageTagDoesNotMatchDigest',
              failureReason: 'Tag does not match digest',
            }
          : { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      );
      continue;
    }
    images.push({
      registryId: store.accountId,
      repositoryName: repository.name,
      imageId: { imageDigest: record.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
      imageManifest: record.manifest,
      imageManifestMediaType: record.mediaType,
    });
  }
  return { images, failures };
}

function describeImageScanFindings(store: EcrStore, input: Input): unknown {
  const repository = repositoryOf(store, input);
  const id = (input['imageId'] ?? {}) as ImageId;
  const record = repository.find({ digest: id.imageDigest, tag: id.imageTag });
  if (!record) throw store.imageNotFound(repository.name, describeId(id));
  const scan = record.scan;
  if (!scan)
    throw new AwsError(
      'ScanNotFoundException',
      `Image scan does not exist for the image with '{${describeId(id)}}' in the repository with name '${repository.name}' in the registry with id '${store.accountId}'`,
    );
  const max = maxResults(input, 100, 1000);
  const scope = `${repository.name}|${record.digest}`;
  const from = decodeToken(input['nextToken'], 'DescribeImageScanFindings', scope);
  const findings = SEVERITY_ORDER.flatMap((severity) =>
    Array.from({ length: scan.counts[severity] ?? 0 }, () => severity),
  );
  const slice = findings.slice(from, from + max);
  const end = from + slice.length;
  return {
    registryId: store.accountId,
    repositoryName: repository.name,
    imageId: { imageDigest: record.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
    imageScanStatus: { status: scan.status, description: scanDescription(scan.status) },
    imageScanFindings: {
      imageScanCompletedAt: epochSeconds(scan.completedAt),
      vulnerabilitySourceUpdatedAt: epochSeconds(scan.completedAt),
      findingSeverityCounts: scan.counts,
      findings: slice.map((severity, offset) => ({
        name: `CVE-2026-${String(10_000 + from + offset)}`,
        severity,
        uri: `https://cve.example.invalid/CVE-2026-${String(10_000 + from + offset)}`,
      })),
    },
    ...(end < findings.length ? { nextToken: encodeToken('DescribeImageScanFindings', scope, end) } : {}),
  };
}

function getAuthorizationToken(store: EcrStore): unknown {
  const now = store.options.now();
  const password = Buffer.from(`${store.accountId}:${now.getTime()}`).toString('base64');
  return {
    authorizationData: [
      {
        authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
        expiresAt: epochSeconds(new Date(now.getTime() + 12 * 3600_000)),
        proxyEndpoint: `https://${store.accountId}.dkr.ecr.${store.options.region}.amazonaws.com`,
      },
    ],
  };
}

function putImage(store: EcrStore, input: Input): unknown {
  const repository = repositoryOf(store, input);
  const manifest = requireString(input, 'imageManifest');
  const tag = optionalString(input, 'imageTag');
  const mediaType = optionalString(input, 'imageManifestMediaType');
  const expected = optionalString(input, 'imageDigest');
  const existing = repository.find({ digest: sha256Digest(manifest) });
  if (expected !== undefined && expected !== sha256Digest(manifest))
    throw new AwsError(
      'ImageDigestDoesNotMatchException',
      `The digest ${expected} does not match the manifest`,
    );
  if (existing && (tag === undefined || existing.tags.includes(tag)))
    throw new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${existing.digest}'${tag === undefined ? '' : ` and tag '${tag}'`} already exists in the repository with name '${repository.name}' in registry with id '${store.accountId}'`,
    );
  const pushed = store.store(repository.name, manifest, tag === undefined ? [] : [tag], {
    ...(mediaType === undefined ? {} : { mediaType }),
  });
  return {
    image: {
      registryId: store.accountId,
      repositoryName: repository.name,
      imageId: { imageDigest: pushed.digest, ...(tag === undefined ? {} : { imageTag: tag }) },
      imageManifest: manifest,
      imageManifestMediaType: pushed.mediaType,
    },
  };
}

function describeId(id: ImageId): string {
  return [id.imageDigest && `imageDigest:'${id.imageDigest}'`, id.imageTag && `imageTag:'${id.imageTag}'`]
    .filter(Boolean)
    .join(', ');
}

/** The access key the SDK signed with (SigV4 `Credential=<key>/<date>/…`). */
function accessKeyOf(context: RequestContext): string {
  const authorization = String(context.headers['authorization'] ?? '');
  return /Credential=([^/,\s]+)\//.exec(authorization)?.[1] ?? 'anonymous';
}

function callerOf(store: EcrStore, context: RequestContext): string {
  return `arn:aws:iam::${store.accountId}:user/${accessKeyOf(context)}`;
}
