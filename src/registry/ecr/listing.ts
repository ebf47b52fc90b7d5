/**
 * A repository's tagged images, held compactly between scans: a full sweep of 1,000
 * repositories × 2,000 images is two million candidates, so the cache keeps columns (digests
 * as 32 raw bytes, push times as doubles, media types and scan summaries interned) and
 * `candidates()` builds plain objects only for the listing someone asked for.
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import type { ImageCandidate, ScanFacts } from '../source.js';
import { scanFactsOf } from './scan.js';

/** cosign's tag convention for signatures, attestations and SBOMs of `sha256:<hex>`. */
const COSIGN_TAG = /^sha256-[0-9a-f]{64}\.(?:sig|att|sbom)$/;
const HEX64 = /^[0-9a-f]{64}$/;
/** Stands for "no size" in the sizes column (ECR sizes are far below 4 GiB - 1 in practice). */
const NO_SIZE = 0xffffffff;

/** Artifact types of signatures, attestations and SBOMs, which are never deployable images. */
const REFERRER_ARTIFACTS: ReadonlySet<string> = new Set([
  'application/vnd.dev.cosign.simplesigning.v1+json',
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.dev.cosign.artifact.sbom.v1+json',
  'application/vnd.dev.sigstore.bundle+json',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.in-toto+json',
  'application/vnd.cncf.notary.signature',
  'application/spdx+json',
  'application/vnd.cyclonedx+json',
]);

export function isCosignTag(tag: string): boolean {
  return COSIGN_TAG.test(tag);
}

/** Whether an image is a referrer (signature, SBOM, attestation) rather than an image to run. */
export function isReferrer(
  detail: Pick<ImageDetail, 'subjectManifestDigest' | 'artifactMediaType'>,
): boolean {
  if (detail.subjectManifestDigest) return true;
  return detail.artifactMediaType !== undefined && REFERRER_ARTIFACTS.has(detail.artifactMediaType);
}

export interface CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  /** Approximate bytes this listing keeps (columns and tag text), for metrics. */
  readonly bytes: number;
  candidates(): ImageCandidate[];
}

/** Collects DescribeImages pages, then freezes them into a CompactListing. */
export class ListingBuilder {
  private readonly tags: string[] = [];
  private readonly tagImage: number[] = [];
  private readonly digests: string[] = [];
  private readonly pushedAt: number[] = [];
  private readonly sizes: number[] = [];
  private readonly mediaTypes: number[] = [];
  private readonly artifactTypes: number[] = [];
  private readonly scans: number[] = [];
  private readonly strings = new Interner<string>();
  private readonly scanFacts = new Interner<ScanFacts>();
  private skipped = 0;

  add(details: readonly ImageDetail[] | undefined): void {
    for (const detail of details ?? []) this.addImage(detail);
  }

  private addImage(detail: ImageDetail): void {
    const tags = (detail.imageTags ?? []).filter((tag) => !isCosignTag(tag));
    const dropped = (detail.imageTags?.length ?? 0) - tags.length;
    if (!detail.imageDigest || !detail.imagePushedAt || tags.length === 0 || isReferrer(detail)) {
      this.skipped += Math.max(1, detail.imageTags?.length ?? 0);
      return;
    }
    this.skipped += dropped;
    const image = this.digests.length;
    this.digests.push(detail.imageDigest);
    this.pushedAt.push(detail.imagePushedAt.getTime());
    this.sizes.push(detail.imageSizeInBytes ?? -1);
    this.mediaTypes.push(this.strings.id(detail.imageManifestMediaType));
    this.artifactTypes.push(this.strings.id(detail.artifactMediaType));
    const scan = scanFactsOf(detail);
    this.scans.push(scan ? this.scanFacts.id(scan, scanKey(scan)) : 0);
    for (const tag of tags) {
      this.tags.push(tag);
      this.tagImage.push(image);
    }
  }

  build(): CompactListing {
    return new ColumnListing(this);
  }

  /** Read by ColumnListing once, at build time. */
  columns() {
    return {
      tags: this.tags,
      tagImage: this.tagImage,
      digests: this.digests,
      pushedAt: this.pushedAt,
      sizes: this.sizes,
      mediaTypes: this.mediaTypes,
      artifactTypes: this.artifactTypes,
      scans: this.scans,
      strings: this.strings.values(),
      scanFacts: this.scanFacts.values(),
      skipped: this.skipped,
    };
  }
}

class ColumnListing implements CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  /** All tags joined by `\n` (a tag never holds one), with the end offset of each. */
  private readonly tagText: string;
  private readonly tagEnds: Uint32Array;
  /** Image of each tag; absent when every image has exactly one tag (the usual case). */
  private readonly tagImage: Uint32Array | undefined;
  /** Raw sha256 bytes, 32 per image; `digestText` instead if any digest is not sha256. */
  private readonly digestBytes: Buffer | undefined;
  private readonly digestText: readonly string[] | undefined;
  private readonly pushedAt: Float64Array;
  /** Sizes; NO_SIZE marks an image without one. */
  private readonly sizes: Uint32Array | Float64Array;
  private readonly mediaTypes: IndexArray;
  private readonly artifactTypes: IndexArray;
  private readonly scans: IndexArray;
  private readonly strings: readonly (string | undefined)[];
  private readonly scanFacts: readonly (ScanFacts | undefined)[];

  constructor(builder: ListingBuilder) {
    const c = builder.columns();
    this.candidateCount = c.tags.length;
    this.imageCount = c.digests.length;
    this.skipped = c.skipped;
    this.tagText = c.tags.join('\n');
    this.tagEnds = new Uint32Array(c.tags.length);
    let end = 0;
    c.tags.forEach((tag, index) => {
      end += tag.length + (index > 0 ? 1 : 0);
      this.tagEnds[index] = end;
    });
    this.tagImage = c.tags.length === c.digests.length ? undefined : Uint32Array.from(c.tagImage);
    if (c.digests.every(isSha256)) {
      this.digestBytes = Buffer.alloc(c.digests.length * 32);
      c.digests.forEach((digest, index) => this.digestBytes?.write(digest.slice(7), index * 32, 'hex'));
    } else {
      this.digestText = c.digests;
    }
    this.pushedAt = Float64Array.from(c.pushedAt);
    this.sizes = c.sizes.every((size) => size < NO_SIZE)
      ? Uint32Array.from(c.sizes, (size) => (size < 0 ? NO_SIZE : size))
      : Float64Array.from(c.sizes, (size) => (size < 0 ? NO_SIZE : size));
    this.mediaTypes = indexArray(c.mediaTypes, c.strings.length);
    this.artifactTypes = indexArray(c.artifactTypes, c.strings.length);
    this.scans = indexArray(c.scans, c.scanFacts.length);
    this.strings = c.strings;
    this.scanFacts = c.scanFacts;
  }

  get bytes(): number {
    const columns = [
      this.tagEnds,
      this.tagImage,
      this.digestBytes,
      this.pushedAt,
      this.sizes,
      this.mediaTypes,
      this.artifactTypes,
      this.scans,
    ];
    const text = this.digestText?.reduce((sum, digest) => sum + digest.length, 0) ?? 0;
    return columns.reduce((sum, column) => sum + (column?.byteLength ?? 0), this.tagText.length + text);
  }

  /** Fresh objects for the caller; the tags of one image share its digest string and Date. */
  candidates(): ImageCandidate[] {
    const out: ImageCandidate[] = new Array<ImageCandidate>(this.candidateCount);
    let image = -1;
    let digest = '';
    let pushedAt = new Date(0);
    for (let index = 0; index < this.candidateCount; index += 1) {
      const owner = this.tagImage ? (this.tagImage[index] ?? 0) : index;
      if (owner !== image) {
        image = owner;
        digest = this.digestAt(owner);
        pushedAt = new Date(this.pushedAt[owner] ?? 0);
      }
      const start = index === 0 ? 0 : (this.tagEnds[index - 1] ?? 0) + 1;
      const candidate: {
        tag: string;
        digest: string;
        pushedAt: Date;
        sizeBytes?: number;
        mediaType?: string;
        artifactMediaType?: string;
        scan?: ScanFacts;
      } = { tag: this.tagText.slice(start, this.tagEnds[index]), digest, pushedAt };
      const size = this.sizes[owner] ?? NO_SIZE;
      if (size !== NO_SIZE) candidate.sizeBytes = size;
      const mediaType = this.strings[this.mediaTypes[owner] ?? 0];
      if (mediaType !== undefined) candidate.mediaType = mediaType;
      const artifactType = this.strings[this.artifactTypes[owner] ?? 0];
      if (artifactType !== undefined) candidate.artifactMediaType = artifactType;
      const scan = this.scanFacts[this.scans[owner] ?? 0];
      if (scan !== undefined) candidate.scan = scan;
      out[index] = candidate;
    }
    return out;
  }

  private digestAt(image: number): string {
    if (this.digestText) return this.digestText[image] ?? '';
    return `sha256:${this.digestBytes?.toString('hex', image * 32, image * 32 + 32) ?? ''}`;
  }
}

type IndexArray = Uint8Array | Uint16Array | Uint32Array;

/** The narrowest typed array for ids below `count`. */
function indexArray(ids: readonly number[], count: number): IndexArray {
  if (count <= 0x100) return Uint8Array.from(ids);
  return count <= 0x10000 ? Uint16Array.from(ids) : Uint32Array.from(ids);
}

function isSha256(digest: string): boolean {
  return digest.length === 71 && digest.startsWith('sha256:') && HEX64.test(digest.slice(7));
}

/** Small table of distinct values; id 0 means "absent". */
class Interner<T> {
  private readonly ids = new Map<string, number>();
  private readonly table: (T | undefined)[] = [undefined];

  id(value: T | undefined, key: string = String(value)): number {
    if (value === undefined) return 0;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    this.table.push(value);
    this.ids.set(key, this.table.length - 1);
    return this.table.length - 1;
  }

  values(): readonly (T | undefined)[] {
    return this.table;
  }
}

function scanKey(scan: ScanFacts): string {
  const counts = Object.entries(scan.counts).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${scan.status}|${JSON.stringify(counts)}`;
}
