/**
 * The image-source seam: what the policy engine and the reconciliation need to know about a
 * repository's tags. ECR (registries/ecr/) is the implementation; tests may use fakes.
 */
import type { Config, Severity } from './config/schema.js';
import type { Logger } from './log/logger.js';
import type { CredentialProvider } from './aws-credentials.js';

export type { Severity };

/** What ECR's scan tells about one image. `status` is ECR's imageScanStatus.status or UNKNOWN. */
export interface ScanFacts {
  readonly status: string;
  /** Findings per severity; ECR also reports UNDEFINED, which we keep. */
  readonly counts: Readonly<Partial<Record<Severity | 'UNDEFINED', number>>>;
}

/** One (tag, image) pair. An image with three tags yields three candidates with one digest. */
export interface ImageCandidate {
  readonly tag: string;
  /** `sha256:…`; for a multi-arch image the index digest. */
  readonly digest: string;
  readonly pushedAt: Date;
  readonly sizeBytes?: number;
  readonly mediaType?: string;
  readonly artifactMediaType?: string;
  /** From imageScanFindingsSummary when ECR included it; absent means "ask ScanFindings". */
  readonly scan?: ScanFacts;
  /**
   * A tag whose image is not read yet (a registry that lists tags without digests): `digest`
   * is empty and `pushedAt` the epoch until `ImageSource.readPending` fills them in. The policy
   * engine ranks it optimistically (old enough, the newest) and resolves it only when it
   * would be chosen.
   */
  readonly pending?: true;
  /** Where `pushedAt` came from, for --explain; absent means the registry's own push time (ECR). */
  readonly pushedFrom?: PushTimeSource;
}

/**
 * `annotation`: the manifest's org.opencontainers.image.created; `config`: the image config's
 * `created`; `first-seen`: neither says, so the time drawbridge first saw the digest;
 * `unread`: the policy needs no push time, so none was read (`pushedAt` is the epoch).
 */
export type PushTimeSource = 'annotation' | 'config' | 'first-seen' | 'unread';

export type { RepositoryRef } from './checks/ecr-uri.js';

/**
 * An image the registry answered with that never became a candidate because its answer is
 * not to be trusted: a digest outside `sha256:<64 lower-case hex>`, or an image of another
 * repository or registry than the one asked. Text in it is escaped and capped (printable()).
 */
export interface RefusedImage {
  readonly reason: 'invalid-digest' | 'foreign-repository';
  readonly digest: string;
  /** Its first few tags. */
  readonly tags: readonly string[];
  readonly detail: string;
}

/** The repository a listing was read from, as the config names it and as the registry does. */
export interface ListedRepository {
  readonly uri: string;
  readonly name: string;
}

export interface ImageListing {
  readonly imageKey: string;
  readonly repository: ListedRepository;
  readonly candidates: readonly ImageCandidate[];
  /** Images that never became candidates (untagged, cosign artefacts, referrers), counted. */
  readonly skipped: number;
  readonly fetchedAt: Date;
  /** Pages read for this listing (DescribeImages, or tag lists). */
  readonly pages: number;
  /** The first refused images (also counted in `skipped`); absent or empty when none. */
  readonly refused?: readonly RefusedImage[];
}

/** What a policy needs of a pending candidate beyond its digest. */
export interface PendingNeeds {
  /** `minAge` or `newest: pushed`: the image's creation time (more requests per tag). */
  readonly pushTime: boolean;
}

export interface ImageSource {
  /** Every tagged image of the image key's repository. Throws RegistryError. */
  list(imageKey: string): Promise<ImageListing>;
  /** Scan findings of one image, for candidates without a summary. Throws RegistryError. */
  scanFindings(imageKey: string, candidate: ImageCandidate): Promise<ScanFacts>;
  /** Forget the cached listing of these keys (all when omitted), e.g. on a push event. */
  invalidate(imageKeys?: readonly string[]): void;
  /**
   * Fills in pending candidates (digest, push time), in the order given; a tag that no longer
   * exists maps to undefined. Sources whose listings have no pending candidates omit it.
   * Throws RegistryError.
   */
  readPending?(
    imageKey: string,
    pending: readonly ImageCandidate[],
    needs: PendingNeeds,
  ): Promise<ReadonlyMap<string, ImageCandidate | undefined>>;
}

/** The kinds of registry drawbridge reads, each a folder under registries/. */
export const REGISTRY_KINDS = ['ecr', 'oci'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

/** What every source is made from; each takes the parts it uses. */
/** What every image source is made from, whatever its registry. */
export interface SourceBase {
  readonly config: Config;
  readonly logger: Logger;
  /** Credentials, endpoints and Docker config locations; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
}

export interface SourceOptions extends SourceBase {
  readonly env: NodeJS.ProcessEnv;
  /** Every ECR call's outcome, for metrics. */
  readonly onEcrCall?: (operation: string, outcome: 'ok' | 'throttled' | 'error') => void;
  /** AWS base credentials; default the SDK's chain. */
  readonly credentials?: CredentialProvider;
  /** Every OCI registry response (status 0: no answer), for metrics and the benchmark. */
  readonly onRegistryRequest?: (host: string, kind: string, status: number) => void;
}

export type SourceFactory = (options: SourceOptions) => ImageSource;
