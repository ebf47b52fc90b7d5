/**
 * The ECR part of the emulator: repositories and images in memory, a programmatic API for
 * tests and `drawbridge demo`, and the AWS JSON 1.1 service (ecr-operations.ts) the real
 * ECRClient talks to.
 */
import {
  cosignSignatureManifest,
  imageManifest,
  indexManifest,
  manifestFacts,
  OCI_INDEX,
  OCI_MANIFEST,
  referrerManifest,
  sha256Digest,
  type PlatformSpec,
} from './ecr-manifest.js';
import { EcrRepository, type ImageRecord, type SeverityCounts, type StoredScan } from './ecr-repository.js';
import { AwsError } from './server.js';

export { ecrService } from './ecr-operations.js';
export type { ImageRecord, SeverityCounts, StoredScan, TagStatus } from './ecr-repository.js';

export interface StoreOptions {
  readonly accountId: string;
  readonly region: string;
  readonly now: () => Date;
}

/** `'none'`: never scanned (DescribeImageScanFindings answers ScanNotFoundException). */
export type ScanInput =
  | 'none'
  | {
      readonly status?: string;
      readonly counts?: SeverityCounts;
      /** false: DescribeImages omits the summary, as with newer basic scanning. Default true. */
      readonly summary?: boolean;
    };

export interface PushImageInput {
  readonly repository: string;
  /** Empty or omitted: an untagged image. */
  readonly tags?: readonly string[];
  readonly pushedAt?: Date;
  /** Exact manifest bytes; default a unique generated OCI image manifest. */
  readonly manifest?: string;
  readonly mediaType?: string;
  readonly scan?: ScanInput;
}

export interface UncheckedPushInput {
  readonly repository: string;
  /** Any text, unchecked. */
  readonly tags: readonly string[];
  readonly pushedAt?: Date;
  /** Answered as the image's digest instead of its manifest's sha256 (any text). */
  readonly digest?: string;
  /** Answered as the image's repositoryName instead of the repository's. */
  readonly answeredRepositoryName?: string;
}

export interface PushedImage {
  readonly digest: string;
  readonly manifest: string;
  readonly mediaType: string;
  readonly pushedAt: Date;
}

export interface PushIndexInput {
  readonly repository: string;
  readonly tags: readonly string[];
  readonly platforms?: readonly PlatformSpec[];
  readonly pushedAt?: Date;
  readonly scan?: ScanInput;
}

export interface PushedIndex extends PushedImage {
  /** Per-platform manifests, pushed untagged before the index. */
  readonly platformDigests: readonly string[];
}

/** cosign's tag convention (`sha256-<hex>.sig|.att|.sbom`) or an OCI 1.1 referrer (`subject`). */
export type ReferrerKind = 'cosign-signature' | 'cosign-attestation' | 'cosign-sbom' | 'oci-referrer';

export interface PushReferrerInput {
  readonly repository: string;
  readonly subject: string;
  readonly kind: ReferrerKind;
  /** For `oci-referrer`; default a sigstore bundle. */
  readonly artifactType?: string;
  /** For `oci-referrer`: tags to put on the referrer too (referrers are usually untagged). */
  readonly tags?: readonly string[];
  readonly pushedAt?: Date;
}

export interface BulkCreateInput {
  readonly repositories: number;
  readonly imagesPerRepository: number;
  /** Repository names are `${prefix}${index}`; default `bulk/repo-`. */
  readonly prefix?: string;
  /** Tag of the image at `index`; default `1.0.<index>`. */
  readonly tag?: (index: number) => string;
  /** Push time of image 0 and the gap between pushes (default one minute). */
  readonly firstPushedAt?: Date;
  readonly stepMs?: number;
  readonly scan?: ScanInput;
}

const REPOSITORY_NAME = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,299}$/;
const SUFFIXES = { 'cosign-signature': 'sig', 'cosign-attestation': 'att', 'cosign-sbom': 'sbom' } as const;

export class EcrStore {
  private readonly repositories = new Map<string, EcrRepository>();
  private readonly denied = new Map<string, Set<string> | 'all'>();
  private readonly callers = new Map<string, number>();
  private pushes = 0;

  constructor(readonly options: StoreOptions) {}

  get accountId(): string {
    return this.options.accountId;
  }

  /** Idempotent: returns the URI of the (new or existing) repository. */
  createRepository(name: string, createdAt: Date = this.options.now()): string {
    if (!REPOSITORY_NAME.test(name))
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'repositoryName': '${name}'`);
    if (!this.repositories.has(name)) this.repositories.set(name, new EcrRepository(name, createdAt));
    return this.repositoryUri(name);
  }

  repositoryUri(name: string): string {
    return `${this.options.accountId}.dkr.ecr.${this.options.region}.amazonaws.com/${name}`;
  }

  repositoryArn(name: string): string {
    return `arn:aws:ecr:${this.options.region}:${this.options.accountId}:repository/${name}`;
  }

  repositoryNames(): string[] {
    return [...this.repositories.keys()];
  }

  /** Throws RepositoryNotFoundException like ECR. */
  repository(name: string): EcrRepository {
    const repository = this.repositories.get(name);
    if (repository) return repository;
    throw new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${this.options.accountId}'`,
    );
  }

  pushImage(input: PushImageInput): PushedImage {
    for (const tag of input.tags ?? []) this.checkTag(tag);
    const manifest =
      input.manifest ?? imageManifest(`${input.repository}:${(input.tags ?? []).join(',')}:${this.pushes}`);
    return this.store(input.repository, manifest, input.tags ?? [], {
      ...(input.mediaType === undefined ? {} : { mediaType: input.mediaType }),
      ...(input.pushedAt === undefined ? {} : { pushedAt: input.pushedAt }),
      ...(input.scan === undefined ? {} : { scan: input.scan }),
    });
  }

  /**
   * A hostile registry, for tests of what drawbridge trusts: stores an image under tags ECR
   * would refuse (any text at all), optionally answered in DescribeImages with a digest that
   * is not its manifest's or with another repository's name. Never used by `demo`.
   */
  pushUnchecked(input: UncheckedPushInput): PushedImage {
    const repo = this.repository(input.repository);
    const manifest = imageManifest(`${input.repository}:unchecked:${this.pushes}`);
    this.pushes += 1;
    const record = repo.put(
      {
        digest: input.digest ?? sha256Digest(manifest),
        manifest,
        mediaType: OCI_MANIFEST,
        sizeBytes: Buffer.byteLength(manifest),
        pushedAt: input.pushedAt ?? this.options.now(),
        ...(input.answeredRepositoryName === undefined
          ? {}
          : { answeredRepositoryName: input.answeredRepositoryName }),
      },
      input.tags,
    );
    return { digest: record.digest, manifest, mediaType: record.mediaType, pushedAt: record.pushedAt };
  }

  /** A multi-arch push: per-platform manifests untagged, then the tagged index. */
  pushIndex(input: PushIndexInput): PushedIndex {
    const platforms = input.platforms ?? [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ];
    const pushedAt = input.pushedAt ?? this.options.now();
    const entries = platforms.map((platform) => {
      const manifest = imageManifest(
        `${input.repository}:${input.tags.join(',')}:${this.pushes}:${platform.architecture}`,
      );
      const pushed = this.store(input.repository, manifest, [], { pushedAt });
      return { digest: pushed.digest, size: Buffer.byteLength(manifest), platform };
    });
    const index = this.store(input.repository, indexManifest(entries), input.tags, {
      mediaType: OCI_INDEX,
      pushedAt,
      ...(input.scan === undefined ? {} : { scan: input.scan }),
    });
    return { ...index, platformDigests: entries.map((entry) => entry.digest) };
  }

  pushReferrer(input: PushReferrerInput): PushedImage {
    const subject = this.repository(input.repository).find({ digest: input.subject });
    if (!subject) throw this.imageNotFound(input.repository, `imageDigest=${input.subject}`);
    const options = input.pushedAt === undefined ? {} : { pushedAt: input.pushedAt };
    if (input.kind === 'oci-referrer') {
      const artifactType = input.artifactType ?? 'application/vnd.dev.sigstore.bundle.v0.3+json';
      const manifest = referrerManifest(subject.digest, Buffer.byteLength(subject.manifest), artifactType);
      return this.store(input.repository, manifest, input.tags ?? [], options);
    }
    const tag = `${subject.digest.replace(':', '-')}.${SUFFIXES[input.kind]}`;
    return this.store(
      input.repository,
      cosignSignatureManifest(`${subject.digest}:${input.kind}`),
      [tag],
      options,
    );
  }

  moveTag(repository: string, tag: string, digest: string): void {
    this.checkTag(tag);
    const repo = this.repository(repository);
    const record = repo.find({ digest });
    if (!record) throw this.imageNotFound(repository, `imageDigest=${digest}`);
    repo.tag(record, tag);
  }

  /** Removes a tag (the image stays, maybe untagged) or, by digest, the whole image. */
  deleteImage(repository: string, ref: { readonly digest: string } | { readonly tag: string }): void {
    const repo = this.repository(repository);
    if ('tag' in ref) {
      if (!repo.untag(ref.tag)) throw this.imageNotFound(repository, `imageTag=${ref.tag}`);
      return;
    }
    const record = repo.find({ digest: ref.digest });
    if (!record) throw this.imageNotFound(repository, `imageDigest=${ref.digest}`);
    repo.delete(record);
  }

  setScanFindings(repository: string, digest: string, scan: ScanInput): void {
    const record = this.repository(repository).find({ digest });
    if (!record) throw this.imageNotFound(repository, `imageDigest=${digest}`);
    const stored = this.storedScan(scan);
    if (stored) record.scan = stored;
    else delete record.scan;
  }

  /** Many repositories of generated images at once, stored as a formula until touched. */
  bulkCreate(input: BulkCreateInput): string[] {
    const prefix = input.prefix ?? 'bulk/repo-';
    const now = this.options.now();
    const stepMs = input.stepMs ?? 60_000;
    const firstPushedAt = input.firstPushedAt ?? new Date(now.getTime() - input.imagesPerRepository * stepMs);
    const scan = input.scan === undefined ? undefined : this.storedScan(input.scan);
    const names: string[] = [];
    for (let index = 0; index < input.repositories; index += 1) {
      const name = `${prefix}${index}`;
      if (!REPOSITORY_NAME.test(name)) throw new Error(`bulk repository name ${name} is not valid`);
      this.repositories.set(
        name,
        new EcrRepository(name, now, {
          count: input.imagesPerRepository,
          firstPushedAt,
          stepMs,
          tag: input.tag ?? ((i) => `1.0.${i}`),
          sizeBytes: 4096,
          seed: sha256Digest(`${prefix}${index}`).slice(7, 55),
          ...(scan ? { scan } : {}),
        }),
      );
      names.push(name);
    }
    return names;
  }

  /** Makes `repository` answer AccessDeniedException (for `operation`, or every operation). */
  denyAccess(repository: string, operation?: string): void {
    if (operation === undefined) {
      this.denied.set(repository, 'all');
      return;
    }
    const current = this.denied.get(repository);
    if (current === 'all') return;
    this.denied.set(repository, new Set([...(current ?? []), operation]));
  }

  allowAccess(repository: string): void {
    this.denied.delete(repository);
  }

  /** Counts calls per signing access key, so tests can see which credentials reached ECR. */
  noteCaller(accessKeyId: string): void {
    this.callers.set(accessKeyId, (this.callers.get(accessKeyId) ?? 0) + 1);
  }

  callsBy(accessKeyId: string): number {
    return this.callers.get(accessKeyId) ?? 0;
  }

  /** Throws AccessDeniedException, worded like IAM's, when access was denied. */
  checkAccess(
    repository: string,
    operation: string,
    caller = 'arn:aws:iam::000000000000:user/emulator',
  ): void {
    const rule = this.denied.get(repository);
    if (!rule || (rule !== 'all' && !rule.has(operation))) return;
    throw new AwsError(
      'AccessDeniedException',
      `User: ${caller} is not authorized to perform: ecr:${operation} on resource: ${this.repositoryArn(repository)} because no identity-based policy allows the ecr:${operation} action`,
    );
  }

  imageNotFound(repository: string, what: string): AwsError {
    return new AwsError(
      'ImageNotFoundException',
      `The image with imageId {${what}} does not exist within the repository with name '${repository}' in the registry with id '${this.options.accountId}'`,
    );
  }

  /** Stores a manifest under its sha256; PutImage and the programmatic pushes end here. */
  store(
    repository: string,
    manifest: string,
    tags: readonly string[],
    options: { mediaType?: string; pushedAt?: Date; scan?: ScanInput } = {},
  ): PushedImage {
    const repo = this.repository(repository);
    const facts = manifestFacts(manifest);
    if (!facts)
      throw new AwsError(
        'InvalidParameterException',
        'Invalid parameter at imageManifest: not a JSON object',
      );
    const digest = sha256Digest(manifest);
    const scan = options.scan === undefined ? undefined : this.storedScan(options.scan);
    this.pushes += 1;
    const record: ImageRecord = repo.put(
      {
        digest,
        manifest,
        mediaType: options.mediaType ?? facts.mediaType ?? OCI_MANIFEST,
        ...(facts.artifactMediaType ? { artifactMediaType: facts.artifactMediaType } : {}),
        ...(facts.subjectDigest ? { subjectDigest: facts.subjectDigest } : {}),
        sizeBytes: facts.sizeBytes ?? Buffer.byteLength(manifest),
        pushedAt: options.pushedAt ?? this.options.now(),
        ...(scan ? { scan } : {}),
      },
      tags,
    );
    if (scan) record.scan = scan;
    return { digest, manifest, mediaType: record.mediaType, pushedAt: record.pushedAt };
  }

  private storedScan(scan: ScanInput): StoredScan | undefined {
    if (scan === 'none') return undefined;
    return {
      status: scan.status ?? 'COMPLETE',
      counts: { ...scan.counts },
      summary: scan.summary ?? true,
      completedAt: this.options.now(),
    };
  }

  private checkTag(tag: string): void {
    if (!TAG.test(tag))
      throw new AwsError('InvalidParameterException', `Invalid parameter at 'imageTag': '${tag}'`);
  }
}
