/**
 * The image-source seam: what the policy engine and the reconciliation need to know about a
 * repository's tags. ECR (registry/ecr/) is the implementation; tests may use fakes.
 */
import type { Severity } from '../config/schema.js';

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
}

export type { RepositoryRef } from '../checks/ecr-uri.js';
import type { RepositoryRef } from '../checks/ecr-uri.js';

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

export interface ImageListing {
  readonly imageKey: string;
  readonly repository: RepositoryRef;
  readonly candidates: readonly ImageCandidate[];
  /** Images that never became candidates (untagged, cosign artefacts, referrers), counted. */
  readonly skipped: number;
  readonly fetchedAt: Date;
  /** DescribeImages pages read for this listing. */
  readonly pages: number;
  /** The first refused images (also counted in `skipped`); absent or empty when none. */
  readonly refused?: readonly RefusedImage[];
}

export interface ImageSource {
  /** Every tagged image of the image key's repository. Throws RegistryError. */
  list(imageKey: string): Promise<ImageListing>;
  /** Scan findings of one image, for candidates without a summary. Throws RegistryError. */
  scanFindings(imageKey: string, candidate: ImageCandidate): Promise<ScanFacts>;
  /** Forget the cached listing of these keys (all when omitted), e.g. on a push event. */
  invalidate(imageKeys?: readonly string[]): void;
}
