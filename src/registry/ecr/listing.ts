/**
 * A repository's tagged images, collected page by page into the compact form the cache keeps
 * (column-listing.ts): a full sweep of 1,000 repositories × 2,000 images is two million
 * candidates. Each page is reduced as it arrives (digests to raw bytes, the page's tags to
 * one string) so nothing of a page outlives it but a few bytes per image: what survives a
 * young-generation GC is copied and promoted, and that copying was most of a scan's GC time.
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import type { ScanFacts } from '../source.js';
import { ColumnListing, type CompactListing } from './column-listing.js';
import { scanFactsOf } from './scan.js';

export type { CompactListing } from './column-listing.js';

/** cosign's tag convention for signatures, attestations and SBOMs of `sha256:<hex>`. */
const COSIGN_TAG = /^sha256-[0-9a-f]{64}\.(?:sig|att|sbom)$/;
/** Buffer's hex parser takes upper case too, but would give the digest back in lower case. */
const UPPER_HEX = /[A-F]/;

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

/** Collects DescribeImages pages, then freezes them into a CompactListing. */
export class ListingBuilder {
  /** Each page's kept tags joined by `\n`. */
  private readonly tagChunks: string[] = [];
  private tagLength = 0;
  private readonly tagEnds: number[] = [];
  private readonly tagImage: number[] = [];
  private readonly digests = new DigestColumn();
  private readonly pushedAt: number[] = [];
  private readonly sizes: number[] = [];
  private readonly mediaTypes: number[] = [];
  private readonly artifactTypes: number[] = [];
  private readonly scans: number[] = [];
  private readonly strings = new Interner<string>();
  private readonly scanFacts = new Interner<ScanFacts>();
  private skipped = 0;

  add(details: readonly ImageDetail[] | undefined): void {
    if (!details) return;
    const pageTags: string[] = [];
    this.digests.reserve(details.length);
    for (const detail of details) this.addImage(detail, pageTags);
    if (pageTags.length > 0) this.tagChunks.push(pageTags.join('\n'));
  }

  build(): CompactListing {
    const digests = this.digests.finish();
    return new ColumnListing({
      tagText: this.tagChunks.join('\n'),
      tagEnds: this.tagEnds,
      tagImage: this.tagImage,
      imageCount: this.pushedAt.length,
      digestBytes: digests.bytes,
      digestText: digests.text,
      pushedAt: this.pushedAt,
      sizes: this.sizes,
      mediaTypes: this.mediaTypes,
      artifactTypes: this.artifactTypes,
      scans: this.scans,
      strings: this.strings.values(),
      scanFacts: this.scanFacts.values(),
      skipped: this.skipped,
    });
  }

  private addImage(detail: ImageDetail, pageTags: string[]): void {
    const tags = detail.imageTags ?? [];
    let kept = 0;
    for (const tag of tags) if (!isCosignTag(tag)) kept += 1;
    if (!detail.imageDigest || !detail.imagePushedAt || kept === 0 || isReferrer(detail)) {
      this.skipped += Math.max(1, tags.length);
      return;
    }
    this.skipped += tags.length - kept;
    const image = this.pushedAt.length;
    this.digests.push(detail.imageDigest);
    this.pushedAt.push(detail.imagePushedAt.getTime());
    this.sizes.push(detail.imageSizeInBytes ?? -1);
    this.mediaTypes.push(this.strings.id(detail.imageManifestMediaType));
    this.artifactTypes.push(this.strings.id(detail.artifactMediaType));
    this.scans.push(this.scanId(detail));
    for (const tag of tags) {
      if (kept < tags.length && isCosignTag(tag)) continue;
      this.tagLength += tag.length + (this.tagEnds.length > 0 ? 1 : 0);
      this.tagEnds.push(this.tagLength);
      this.tagImage.push(image);
      pageTags.push(tag);
    }
  }

  /** Id of the image's scan summary, 0 for none; the key is built without sorting or JSON. */
  private scanId(detail: ImageDetail): number {
    const counts = detail.imageScanFindingsSummary?.findingSeverityCounts;
    if (!counts) return 0;
    const key =
      `${detail.imageScanStatus?.status}|${counts['CRITICAL']}|${counts['HIGH']}|${counts['MEDIUM']}|` +
      `${counts['LOW']}|${counts['INFORMATIONAL']}|${counts['UNDEFINED']}`;
    return this.scanFacts.idOf(key, () => scanFactsOf(detail));
  }
}

/** Digests as 32 raw bytes each while all are sha256; as text once one is not. */
class DigestColumn {
  private bytes = Buffer.alloc(0);
  private text: string[] | undefined;
  private count = 0;

  /**
   * Room for `more` digests, grown to the exact size a page needs: the buffers a listing
   * outgrows live as long as the listing is being read, so they are freed only by a full GC.
   */
  reserve(more: number): void {
    if (this.text || this.bytes.length >= (this.count + more) * 32) return;
    const grown = Buffer.allocUnsafe((this.count + more) * 32);
    this.bytes.copy(grown, 0, 0, this.count * 32);
    this.bytes = grown;
  }

  push(digest: string): void {
    if (!this.text && !this.write(digest)) this.text = this.allText();
    if (this.text) this.text.push(digest);
    this.count += 1;
  }

  finish(): { bytes: Buffer | undefined; text: string[] | undefined } {
    if (this.text) return { bytes: undefined, text: this.text };
    const used = this.count * 32;
    // A copy only when images were skipped, so the cache does not keep spare room.
    const bytes = this.bytes.length === used ? this.bytes : Buffer.from(this.bytes.subarray(0, used));
    return { bytes, text: undefined };
  }

  /** Whether `digest` went in as bytes: sha256 in lowercase hex, which the bytes give back exactly. */
  private write(digest: string): boolean {
    if (digest.length !== 71 || !digest.startsWith('sha256:') || UPPER_HEX.test(digest)) return false;
    this.reserve(1);
    return this.bytes.write(digest.slice(7), this.count * 32, 32, 'hex') === 32;
  }

  private allText(): string[] {
    return Array.from(
      { length: this.count },
      (_, i) => `sha256:${this.bytes.toString('hex', i * 32, i * 32 + 32)}`,
    );
  }
}

/** Small table of distinct values; id 0 means "absent". */
class Interner<T> {
  private readonly ids = new Map<string, number>();
  private readonly table: (T | undefined)[] = [undefined];

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
