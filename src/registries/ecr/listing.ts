/**
 * A repository's tagged images, collected page by page into the compact form the cache keeps
 * (column-listing.ts): a full sweep of 1,000 repositories × 2,000 images is two million
 * candidates. Each page is reduced as it arrives (digests to raw bytes, the page's tags to
 * one string) so nothing of a page outlives it but a few bytes per image: what survives a
 * young-generation GC is copied and promoted, and that copying was most of a scan's GC time.
 */
import { printable } from '../../log/printable.js';
import { digestProblem, isValidDigest } from '../../checks/grammar.js';
import type { RefusedImage, ScanFacts } from '../../registry.js';
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
  readonly registryId?: string | undefined;
  readonly repositoryName?: string | undefined;
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
 * Tags are kept whatever they hold (the policy rejects those outside the OCI grammar with
 * `invalid-tag`, so `scan --explain` can show them), but cut at this length: a tag that long
 * is invalid either way, and the tag columns stay small.
 */
export const TAG_KEPT_LENGTH = 1024;
/** Refused images kept as examples per listing (all are counted in `skipped`). */
const REFUSED_KEPT = 20;

/** Which repository a listing reads: images the answer says belong elsewhere are refused. */
export interface ListingScope {
  readonly registryId: string;
  readonly name: string;
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
  private readonly refused: RefusedImage[] = [];

  constructor(private readonly scope?: ListingScope) {}

  add(details: readonly PageImage[] | undefined): void {
    if (!Array.isArray(details)) return;
    const kept: { detail: PageImage; tags: readonly string[] }[] = [];
    let tagCount = 0;
    let largeSizes = false;
    for (const detail of details as readonly PageImage[]) {
      const all = tagsOf(detail);
      // A copy only for the rare image that carries a cosign tag (or a tag too long to keep).
      const tags = all.some((tag) => isCosignTag(tag) || tag.length > TAG_KEPT_LENGTH)
        ? all.filter((tag) => !isCosignTag(tag)).map((tag) => tag.slice(0, TAG_KEPT_LENGTH))
        : all;
      if (!detail.imageDigest || !detail.imagePushedAt || tags.length === 0 || isReferrer(detail)) {
        this.skipped += Math.max(1, all.length);
        continue;
      }
      const refusal = this.refusal(detail, tags);
      if (refusal) {
        this.skipped += Math.max(1, all.length);
        if (this.refused.length < REFUSED_KEPT) this.refused.push(refusal);
        continue;
      }
      this.skipped += all.length - tags.length;
      kept.push({ detail, tags });
      tagCount += tags.length;
      if ((detail.imageSizeInBytes ?? 0) >= NO_SIZE) largeSizes = true;
    }
    if (kept.length === 0) return;

    const count = kept.length;
    // Every kept digest is sha256 in lower-case hex (refusal() saw to it): 32 raw bytes each.
    const digestBytes = Buffer.allocUnsafe(count * 32);
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
      digestBytes.write((detail.imageDigest ?? '').slice(7), image * 32, 32, 'hex');
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
      refused: this.refused,
    });
  }

  /**
   * Why an image of the answer is not to be trusted: a digest drawbridge would never write,
   * or an image the answer says belongs to another repository or registry than the one asked.
   */
  private refusal(detail: PageImage, tags: readonly string[]): RefusedImage | undefined {
    const digest = String(detail.imageDigest ?? '');
    // Escaped only for the few refused: every image of every page passes through here.
    const shown = (): Pick<RefusedImage, 'digest' | 'tags'> => ({
      digest: printable(digest, 80),
      tags: tags.slice(0, 3).map((tag) => printable(tag, 80)),
    });
    if (!isValidDigest(digest))
      return { reason: 'invalid-digest', ...shown(), detail: digestProblem(digest) ?? 'invalid digest' };
    const scope = this.scope;
    if (!scope) return undefined;
    const { repositoryName, registryId } = detail;
    if (repositoryName !== undefined && repositoryName !== scope.name)
      return {
        reason: 'foreign-repository',
        ...shown(),
        detail: `answer names repository ${printable(String(repositoryName), 80)}, not ${scope.name}`,
      };
    if (registryId !== undefined && registryId !== scope.registryId)
      return {
        reason: 'foreign-repository',
        ...shown(),
        detail: `answer names registry ${printable(String(registryId), 40)}, not ${scope.registryId}`,
      };
    return undefined;
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
  // Anything else (the answer is JSON from outside) counts as no push time.
  if (typeof at === 'number') return Number.isFinite(at) ? Math.round(at * 1000) : 0;
  return at instanceof Date ? at.getTime() || 0 : 0;
}

/** The image's tags that are strings at all (the answer is JSON from outside). */
function tagsOf(detail: PageImage): readonly string[] {
  const tags: unknown = detail.imageTags;
  if (!Array.isArray(tags)) return [];
  const strings = (tag: unknown): tag is string => typeof tag === 'string';
  return tags.every(strings) ? tags : tags.filter(strings);
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
