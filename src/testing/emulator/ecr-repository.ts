/**
 * One emulated ECR repository: images keyed by digest, tags unique per repository, listed in
 * push order. A repository made by the bulk API stays synthetic (images computed from their
 * index on demand, nothing stored) until something changes it or looks an image up.
 */
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256Digest } from './ecr-manifest.js';

export type SeverityCounts = Readonly<
  Partial<Record<'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' | 'UNDEFINED', number>>
>;

export interface StoredScan {
  /** ECR's imageScanStatus.status: COMPLETE, IN_PROGRESS, FAILED, ACTIVE, … */
  readonly status: string;
  readonly counts: SeverityCounts;
  /** Whether DescribeImages carries imageScanFindingsSummary (false: ask DescribeImageScanFindings). */
  readonly summary: boolean;
  readonly completedAt: Date;
}

/** A stored image: what was pushed, plus its push order and its (movable) tags. */
export interface ImageRecord extends NewImage {
  readonly seq: number;
  /** Mutable: tags move between images. */
  tags: string[];
  scan?: StoredScan;
}

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

export interface SyntheticSpec {
  readonly count: number;
  readonly firstPushedAt: Date;
  readonly stepMs: number;
  readonly tag: (index: number) => string;
  readonly sizeBytes: number;
  readonly scan?: StoredScan;
  /** 48 hex characters unique to the repository, for the generated blob digests. */
  readonly seed: string;
}

export interface NewImage {
  readonly digest: string;
  readonly manifest: string;
  readonly mediaType: string;
  readonly artifactMediaType?: string;
  readonly subjectDigest?: string;
  readonly sizeBytes: number;
  readonly pushedAt: Date;
  readonly scan?: StoredScan;
  /** A hostile registry's lie (pushUnchecked): DescribeImages names this repository instead. */
  readonly answeredRepositoryName?: string;
}

export interface Page {
  readonly items: readonly ImageRecord[];
  /** Sequence number to resume from; absent on the last page. */
  readonly next?: number;
}

export class EcrRepository {
  private images: ImageRecord[] = [];
  private readonly byDigest = new Map<string, ImageRecord>();
  private readonly byTag = new Map<string, ImageRecord>();
  private nextSeq = 0;

  constructor(
    readonly name: string,
    readonly createdAt: Date,
    private synthetic?: SyntheticSpec,
  ) {}

  get imageCount(): number {
    return this.synthetic ? this.synthetic.count : this.images.length;
  }

  /** Stores an image (or finds the same manifest already there) and points `tags` at it. */
  put(image: NewImage, tags: readonly string[]): ImageRecord {
    this.materialize();
    let record = this.byDigest.get(image.digest);
    if (!record) {
      record = { ...image, seq: this.nextSeq++, tags: [] };
      this.images.push(record);
      this.byDigest.set(record.digest, record);
    }
    for (const tag of tags) this.tag(record, tag);
    return record;
  }

  /** Points `tag` at `record`; the image that had it keeps its other tags (or none). */
  tag(record: ImageRecord, tag: string): void {
    this.materialize();
    const holder = this.byTag.get(tag);
    if (holder === record) return;
    if (holder) holder.tags = holder.tags.filter((t) => t !== tag);
    record.tags = [...record.tags, tag];
    this.byTag.set(tag, record);
  }

  untag(tag: string): ImageRecord | undefined {
    this.materialize();
    const holder = this.byTag.get(tag);
    if (!holder) return undefined;
    holder.tags = holder.tags.filter((t) => t !== tag);
    this.byTag.delete(tag);
    return holder;
  }

  delete(record: ImageRecord): void {
    this.materialize();
    for (const tag of record.tags) this.byTag.delete(tag);
    this.byDigest.delete(record.digest);
    this.images = this.images.filter((image) => image !== record);
  }

  find(ref: { readonly digest?: string; readonly tag?: string }): ImageRecord | undefined {
    this.materialize();
    if (ref.digest !== undefined) {
      const record = this.byDigest.get(ref.digest);
      if (!record) return undefined;
      return ref.tag === undefined || record.tags.includes(ref.tag) ? record : undefined;
    }
    return ref.tag === undefined ? undefined : this.byTag.get(ref.tag);
  }

  /** Up to `max` images with seq ≥ `from` matching `status`, in push order. */
  page(status: TagStatus, from: number, max: number): Page {
    if (this.synthetic) return this.syntheticPage(this.synthetic, status, from, max);
    const items: ImageRecord[] = [];
    for (let i = this.firstAtOrAfter(from); i < this.images.length; i += 1) {
      const record = this.images[i];
      if (!record || !matches(record, status)) continue;
      if (items.length === max) return { items, next: record.seq };
      items.push(record);
    }
    return { items };
  }

  private syntheticPage(spec: SyntheticSpec, status: TagStatus, from: number, max: number): Page {
    if (status === 'UNTAGGED') return { items: [] };
    const end = Math.min(spec.count, from + max);
    const items: ImageRecord[] = [];
    for (let index = Math.max(0, from); index < end; index += 1)
      items.push(syntheticImage(this.name, spec, index));
    return end < spec.count ? { items, next: end } : { items };
  }

  private firstAtOrAfter(seq: number): number {
    let low = 0;
    let high = this.images.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.images[mid]?.seq ?? Infinity) < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Turns a synthetic repository into stored images, before a change or a lookup. */
  private materialize(): void {
    const spec = this.synthetic;
    if (!spec) return;
    this.synthetic = undefined;
    for (let index = 0; index < spec.count; index += 1) {
      const record = syntheticImage(this.name, spec, index);
      this.images.push(record);
      this.byDigest.set(record.digest, record);
      for (const tag of record.tags) this.byTag.set(tag, record);
    }
    this.nextSeq = spec.count;
  }
}

function matches(record: ImageRecord, status: TagStatus): boolean {
  if (status === 'ANY') return true;
  return status === 'TAGGED' ? record.tags.length > 0 : record.tags.length === 0;
}

/**
 * Image `index` of a synthetic repository. One hash per image (the digest of the manifest
 * bytes, as always); the blob digests inside are derived from the repository's seed, since
 * the emulator stores no blobs and a bulk scan of millions of images must stay cheap.
 */
function syntheticImage(repository: string, spec: SyntheticSpec, index: number): ImageRecord {
  const blob = `${spec.seed}${index.toString(16).padStart(16, '0')}`;
  const manifest =
    `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}",` +
    `"config":{"mediaType":"${OCI_CONFIG}","digest":"sha256:${blob}","size":512},` +
    `"layers":[{"mediaType":"${OCI_LAYER}","digest":"sha256:${blob.slice(16)}${blob.slice(0, 16)}","size":${spec.sizeBytes}}]}`;
  return {
    seq: index,
    digest: sha256Digest(manifest),
    manifest,
    mediaType: OCI_MANIFEST,
    artifactMediaType: OCI_CONFIG,
    sizeBytes: spec.sizeBytes + 512,
    pushedAt: new Date(spec.firstPushedAt.getTime() + index * spec.stepMs),
    tags: [spec.tag(index)],
    ...(spec.scan ? { scan: spec.scan } : {}),
  };
}
