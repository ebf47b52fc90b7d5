/**
 * The frozen, compact form of one repository's listing: per DescribeImages page, one block of
 * columns in typed arrays (digests as 32 raw bytes, push times as doubles, media types and
 * scan summaries as ids into small tables shared by the listing), built by ListingBuilder
 * (listing.ts). `candidates()` makes plain objects only for the listing someone asked for.
 */
import type { ImageCandidate, RefusedImage, ScanFacts } from '../../registry.js';

/** Stands for "no size" in the sizes column (ECR sizes are far below 4 GiB - 1 in practice). */
export const NO_SIZE = 0xffffffff;

export interface CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  /** The first images refused by ListingBuilder (also counted in `skipped`). */
  readonly refused: readonly RefusedImage[];
  /** Approximate bytes this listing keeps (columns and tag text), for metrics. */
  readonly bytes: number;
  candidates(): ImageCandidate[];
}

type IndexArray = Uint8Array | Uint16Array | Uint32Array;

/** One page's kept images and their tags. */
export interface PageBlock {
  readonly imageCount: number;
  /** The page's tags joined by `\n` (read back by length: a hostile tag may hold one). */
  readonly tagText: string;
  /** Length of each tag (kept tags are at most TAG_KEPT_LENGTH characters; most under 256). */
  readonly tagLengths: Uint8Array | Uint16Array;
  /** Image (within the page) of each tag; absent when every image has exactly one tag. */
  readonly tagImage: Uint16Array | Uint32Array | undefined;
  /** Raw sha256 bytes, 32 per image (only lower-case sha256 digests are kept). */
  readonly digestBytes: Buffer;
  readonly pushedAt: Float64Array;
  /** Sizes in bytes; NO_SIZE marks an image without one. */
  readonly sizes: Uint32Array | Float64Array;
  readonly mediaTypes: IndexArray;
  readonly artifactTypes: IndexArray;
  readonly scans: IndexArray;
}

export interface Columns {
  readonly pages: readonly PageBlock[];
  readonly strings: readonly (string | undefined)[];
  readonly scanFacts: readonly (ScanFacts | undefined)[];
  readonly skipped: number;
  readonly refused?: readonly RefusedImage[];
}

export class ColumnListing implements CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  readonly refused: readonly RefusedImage[];
  private readonly pages: readonly PageBlock[];
  private readonly strings: readonly (string | undefined)[];
  private readonly scanFacts: readonly (ScanFacts | undefined)[];

  constructor(c: Columns) {
    this.pages = c.pages;
    this.strings = c.strings;
    this.scanFacts = c.scanFacts;
    this.skipped = c.skipped;
    this.refused = c.refused ?? [];
    this.imageCount = c.pages.reduce((sum, page) => sum + page.imageCount, 0);
    this.candidateCount = c.pages.reduce((sum, page) => sum + page.tagLengths.length, 0);
  }

  get bytes(): number {
    let total = 0;
    for (const page of this.pages) {
      const columns = [
        page.tagLengths,
        page.tagImage,
        page.digestBytes,
        page.pushedAt,
        page.sizes,
        page.mediaTypes,
        page.artifactTypes,
        page.scans,
      ];
      total += page.tagText.length;
      total += columns.reduce((sum, column) => sum + (column?.byteLength ?? 0), 0);
    }
    return total;
  }

  /** Fresh objects for the caller; the tags of one image share its digest string and Date. */
  candidates(): ImageCandidate[] {
    const out: ImageCandidate[] = [];
    for (const page of this.pages) this.pageCandidates(page, out);
    return out;
  }

  private pageCandidates(page: PageBlock, out: ImageCandidate[]): void {
    let image = -1;
    let digest = '';
    let pushedAt = new Date(0);
    let start = 0;
    for (let index = 0; index < page.tagLengths.length; index += 1) {
      const owner = page.tagImage ? (page.tagImage[index] ?? 0) : index;
      if (owner !== image) {
        image = owner;
        digest = digestAt(page, owner);
        pushedAt = new Date(page.pushedAt[owner] ?? 0);
      }
      const end = start + (page.tagLengths[index] ?? 0);
      const candidate: {
        tag: string;
        digest: string;
        pushedAt: Date;
        sizeBytes?: number;
        mediaType?: string;
        artifactMediaType?: string;
        scan?: ScanFacts;
      } = { tag: page.tagText.slice(start, end), digest, pushedAt };
      start = end + 1;
      const size = page.sizes[owner] ?? NO_SIZE;
      if (size !== NO_SIZE) candidate.sizeBytes = size;
      const mediaType = this.strings[page.mediaTypes[owner] ?? 0];
      if (mediaType !== undefined) candidate.mediaType = mediaType;
      const artifactType = this.strings[page.artifactTypes[owner] ?? 0];
      if (artifactType !== undefined) candidate.artifactMediaType = artifactType;
      const scan = this.scanFacts[page.scans[owner] ?? 0];
      if (scan !== undefined) candidate.scan = scan;
      out.push(candidate);
    }
  }
}

function digestAt(page: PageBlock, image: number): string {
  return `sha256:${page.digestBytes.toString('hex', image * 32, image * 32 + 32)}`;
}
