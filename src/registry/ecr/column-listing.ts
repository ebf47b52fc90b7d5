/**
 * The frozen, compact form of one repository's listing: columns of typed arrays (digests as
 * 32 raw bytes, push times as doubles, media types and scan summaries as ids into small
 * tables), built by ListingBuilder (listing.ts). `candidates()` makes plain objects only for
 * the listing someone asked for.
 */
import type { ImageCandidate, ScanFacts } from '../source.js';

/** Stands for "no size" in the sizes column (ECR sizes are far below 4 GiB - 1 in practice). */
export const NO_SIZE = 0xffffffff;

export interface CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  /** Approximate bytes this listing keeps (columns and tag text), for metrics. */
  readonly bytes: number;
  candidates(): ImageCandidate[];
}

/** What a ListingBuilder hands over: per tag, then per image, then the shared tables. */
export interface Columns {
  /** All tags joined by `\n` (a tag never holds one), with the end offset of each. */
  readonly tagText: string;
  readonly tagEnds: readonly number[];
  readonly tagImage: readonly number[];
  readonly imageCount: number;
  /** Raw sha256 bytes, 32 per image; `digestText` instead if any digest is not sha256. */
  readonly digestBytes: Buffer | undefined;
  readonly digestText: readonly string[] | undefined;
  readonly pushedAt: readonly number[];
  /** Sizes in bytes, -1 for none. */
  readonly sizes: readonly number[];
  readonly mediaTypes: readonly number[];
  readonly artifactTypes: readonly number[];
  readonly scans: readonly number[];
  readonly strings: readonly (string | undefined)[];
  readonly scanFacts: readonly (ScanFacts | undefined)[];
  readonly skipped: number;
}

type IndexArray = Uint8Array | Uint16Array | Uint32Array;

export class ColumnListing implements CompactListing {
  readonly candidateCount: number;
  readonly imageCount: number;
  readonly skipped: number;
  private readonly tagText: string;
  /** Length of each tag (tags are at most 300 characters; most under 256). */
  private readonly tagLengths: Uint8Array | Uint16Array;
  /** Image of each tag; absent when every image has exactly one tag (the usual case). */
  private readonly tagImage: Uint32Array | undefined;
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

  constructor(c: Columns) {
    this.candidateCount = c.tagEnds.length;
    this.imageCount = c.imageCount;
    this.skipped = c.skipped;
    this.tagText = c.tagText;
    const lengths = c.tagEnds.map((end, index) => end - (index === 0 ? 0 : (c.tagEnds[index - 1] ?? 0) + 1));
    this.tagLengths = lengths.every((length) => length < 0x100)
      ? Uint8Array.from(lengths)
      : Uint16Array.from(lengths);
    this.tagImage = c.tagEnds.length === c.imageCount ? undefined : Uint32Array.from(c.tagImage);
    this.digestBytes = c.digestBytes;
    this.digestText = c.digestText;
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
      this.tagLengths,
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
    let start = 0;
    for (let index = 0; index < this.candidateCount; index += 1) {
      const owner = this.tagImage ? (this.tagImage[index] ?? 0) : index;
      if (owner !== image) {
        image = owner;
        digest = this.digestAt(owner);
        pushedAt = new Date(this.pushedAt[owner] ?? 0);
      }
      const end = start + (this.tagLengths[index] ?? 0);
      const candidate: {
        tag: string;
        digest: string;
        pushedAt: Date;
        sizeBytes?: number;
        mediaType?: string;
        artifactMediaType?: string;
        scan?: ScanFacts;
      } = { tag: this.tagText.slice(start, end), digest, pushedAt };
      start = end + 1;
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

/** The narrowest typed array for ids below `count`. */
function indexArray(ids: readonly number[], count: number): IndexArray {
  if (count <= 0x100) return Uint8Array.from(ids);
  return count <= 0x10000 ? Uint16Array.from(ids) : Uint32Array.from(ids);
}
