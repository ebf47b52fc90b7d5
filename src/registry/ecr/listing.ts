/**
 * A repository's tagged images, collected page by page into the compact form the cache keeps
 * (column-listing.ts): a full sweep of 1,000 repositories × 2,000 images is two million
 * candidates. Each page is reduced as it arrives (digests to raw bytes, the page's tags to
 * one string) so nothing of a page outlives it but a few bytes per image: what survives a
 * young-generation GC is copied and promoted, and that copying was most of a scan's GC time.
 */
import type { ScanFacts } from '../source.js';
import { ColumnListing, NO_SIZE, type CompactListing, type PageBlock } from './column-listing.js';
import { scanFactsOf } from './scan.js';

export type { CompactListing } from './column-listing.js';

/** cosign's tag convention for signatures, attestations and SBOMs of `sha256:<hex>`. */
const COSIGN_TAG = /^sha256-[0-9a-f]{64}\.(?:sig|att|sbom)$/;

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
export function isReferrer(detail: Pick<PageImage, 'subjectManifestDigest' | 'artifactMediaType'>): boolean {
  if (detail.subjectManifestDigest) return true;
  return detail.artifactMediaType !== undefined && REFERRER_ARTIFACTS.has(detail.artifactMediaType);
}

/**
 * One image of a DescribeImages page: the SDK's ImageDetail, or the same entry as JSON on the
 * wire, where times are epoch seconds.
 */
export interface PageImage {
  readonly imageDigest?: string | undefined;
  readonly imageTags?: readonly string[] | undefined;
  readonly imagePushedAt?: Date | number | undefined;
  readonly imageSizeInBytes?: number | undefined;
  readonly imageManifestMediaType?: string | undefined;
  readonly artifactMediaType?: string | undefined;
  readonly subjectManifestDigest?: string | undefined;
  readonly imageScanStatus?: { readonly status?: string | undefined } | undefined;
  readonly imageScanFindingsSummary?:
    { readonly findingSeverityCounts?: Readonly<Record<string, number>> | undefined } | undefined;
}

/**
 * Collects DescribeImages pages into a CompactListing. Each page becomes one block of typed
 * arrays of exactly its size, kept as it is by the listing: nothing grows, nothing is copied
 * at the end, so a scan leaves no buffers behind for the GC (builders live across pages,
 * long enough for whatever they outgrow to be promoted and linger until a full GC).
 */
export class ListingBuilder {
  private readonly pages: PageBlock[] = [];
  private readonly strings = new Interner<string>();
  private readonly scanFacts = new Interner<ScanFacts>();
  private skipped = 0;

  add(details: readonly PageImage[] | undefined): void {
    if (!details) return;
    const kept: { detail: PageImage; tags: readonly string[] }[] = [];
    let tagCount = 0;
    let textDigests = false;
    let largeSizes = false;
    for (const detail of details) {
      const all = detail.imageTags ?? [];
      // A copy only for the rare image that carries a cosign tag.
      const tags = all.some(isCosignTag) ? all.filter((tag) => !isCosignTag(tag)) : all;
      if (!detail.imageDigest || !detail.imagePushedAt || tags.length === 0 || isReferrer(detail)) {
        this.skipped += Math.max(1, detail.imageTags?.length ?? 0);
        continue;
      }
      this.skipped += (detail.imageTags?.length ?? 0) - tags.length;
      kept.push({ detail, tags });
      tagCount += tags.length;
      if (!isLowerSha256(detail.imageDigest)) textDigests = true;
      if ((detail.imageSizeInBytes ?? 0) >= NO_SIZE) largeSizes = true;
    }
    if (kept.length === 0) return;

    const count = kept.length;
    const digestBytes = textDigests ? undefined : Buffer.allocUnsafe(count * 32);
    const digestText = textDigests ? new Array<string>(count) : undefined;
    const pushedAt = new Float64Array(count);
    const sizes = largeSizes ? new Float64Array(count) : new Uint32Array(count);
    const mediaTypes = new Array<number>(count);
    const artifactTypes = new Array<number>(count);
    const scans = new Array<number>(count);
    const tagLengths = new Array<number>(tagCount);
    const tagImage =
      tagCount === count
        ? undefined
        : count <= 0x10000
          ? new Uint16Array(tagCount)
          : new Uint32Array(tagCount);
    const tagText: string[] = [];
    let tag = 0;
    kept.forEach(({ detail, tags }, image) => {
      const digest = detail.imageDigest ?? '';
      if (digestText) digestText[image] = digest;
      else digestBytes?.write(digest.slice(7), image * 32, 32, 'hex');
      pushedAt[image] = epochMillis(detail.imagePushedAt);
      sizes[image] = detail.imageSizeInBytes ?? NO_SIZE;
      mediaTypes[image] = this.strings.id(detail.imageManifestMediaType);
      artifactTypes[image] = this.strings.id(detail.artifactMediaType);
      scans[image] = this.scanId(detail);
      for (const name of tags) {
        tagLengths[tag] = name.length;
        if (tagImage) tagImage[tag] = image;
        tagText.push(name);
        tag += 1;
      }
    });
    this.pages.push({
      imageCount: count,
      tagText: tagText.join('\n'),
      tagLengths: tagLengths.every((length) => length < 0x100)
        ? Uint8Array.from(tagLengths)
        : Uint16Array.from(tagLengths),
      tagImage,
      digestBytes,
      digestText,
      pushedAt,
      sizes,
      mediaTypes: indexArray(mediaTypes, this.strings.size),
      artifactTypes: indexArray(artifactTypes, this.strings.size),
      scans: indexArray(scans, this.scanFacts.size),
    });
  }

  build(): CompactListing {
    return new ColumnListing({
      pages: this.pages,
      strings: this.strings.values(),
      scanFacts: this.scanFacts.values(),
      skipped: this.skipped,
    });
  }

  /** Id of the image's scan summary, 0 for none; the key is built without sorting or JSON. */
  private scanId(detail: PageImage): number {
    const counts = detail.imageScanFindingsSummary?.findingSeverityCounts;
    if (!counts) return 0;
    const key =
      `${detail.imageScanStatus?.status}|${counts['CRITICAL']}|${counts['HIGH']}|${counts['MEDIUM']}|` +
      `${counts['LOW']}|${counts['INFORMATIONAL']}|${counts['UNDEFINED']}`;
    return this.scanFacts.idOf(key, () => scanFactsOf(detail));
  }
}

/** As the SDK reads an epoch-seconds timestamp: milliseconds, rounded. */
function epochMillis(at: Date | number | undefined): number {
  if (at === undefined) return 0;
  return typeof at === 'number' ? Math.round(at * 1000) : at.getTime();
}

/**
 * Whether a digest can be kept as 32 raw bytes and given back exactly: sha256 in lower-case
 * hex (upper case would come back lower). A loop, not a regular expression: two million
 * digests per sweep.
 */
function isLowerSha256(digest: string): boolean {
  if (digest.length !== 71 || !digest.startsWith('sha256:')) return false;
  for (let i = 7; i < 71; i += 1) {
    const code = digest.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

/** The narrowest typed array for ids below `count`. */
function indexArray(ids: readonly number[], count: number): Uint8Array | Uint16Array | Uint32Array {
  if (count <= 0x100) return Uint8Array.from(ids);
  return count <= 0x10000 ? Uint16Array.from(ids) : Uint32Array.from(ids);
}

/** Small table of distinct values; id 0 means "absent". */
class Interner<T> {
  private readonly ids = new Map<string, number>();
  private readonly table: (T | undefined)[] = [undefined];

  get size(): number {
    return this.table.length;
  }

  id(value: T | undefined): number {
    return value === undefined ? 0 : this.idOf(String(value), () => value);
  }

  /** Id of the value known by `key`, made by `make` the first time (undefined: id 0). */
  idOf(key: string, make: () => T | undefined): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const value = make();
    if (value === undefined) return 0;
    this.table.push(value);
    this.ids.set(key, this.table.length - 1);
    return this.table.length - 1;
  }

  values(): readonly (T | undefined)[] {
    return this.table;
  }
}
