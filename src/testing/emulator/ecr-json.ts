/**
 * DescribeImages answers written as JSON text directly, byte for byte what JSON.stringify
 * makes of the same objects (ecr-operations.ts keeps the object form for the other
 * operations). A 1,000-image page is ~360 KB: built as one string it lands in V8's
 * large-object space and costs a UTF-8 length pass and a second encoding on write, so the
 * text goes out in chunks of ~32 KB instead.
 */
import type { ImageRecord, StoredScan } from './ecr-repository.js';
import { epochSeconds } from './ecr-paging.js';
import { RawJson } from './server.js';

const CHUNK_CHARS = 32 * 1024;
/** Printable ASCII without `"` and `\`: written between quotes as it is. */
const PLAIN = /^[ !#-[\]-~]*$/;

export function scanDescription(status: string): string {
  return status === 'COMPLETE' ? 'The scan was completed successfully.' : `Scan status ${status}`;
}

/** Appends JSON text and cuts it into Buffers of about CHUNK_CHARS characters. */
class ChunkedText {
  private readonly chunks: Buffer[] = [];
  private text = '';

  append(text: string): void {
    this.text += text;
    if (this.text.length >= CHUNK_CHARS) this.flush();
  }

  finish(): RawJson {
    this.flush();
    return new RawJson(this.chunks);
  }

  private flush(): void {
    if (this.text.length === 0) return;
    this.chunks.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
  }
}

/** Writes one DescribeImages answer; caches the quoted forms of the strings pages repeat. */
export class ImageDetailsWriter {
  private readonly out = new ChunkedText();
  private readonly quoted = new Map<string, string>();
  private readonly scans = new Map<StoredScan, string>();
  private readonly prefix: string;
  private count = 0;

  constructor(
    private readonly registryId: string,
    repositoryName: string,
  ) {
    this.prefix = this.prefixFor(repositoryName);
    this.out.append('{"imageDetails":[');
  }

  /** The same fields, in the same order, as ecr-operations.ts's imageDetail. */
  add(record: ImageRecord): void {
    const prefix = record.answeredRepositoryName
      ? this.prefixFor(record.answeredRepositoryName)
      : this.prefix;
    let text = `${this.count === 0 ? '' : ','}${prefix}${quote(record.digest)}`;
    this.count += 1;
    if (record.tags.length > 0) text += `,"imageTags":${tagList(record.tags)}`;
    text += `,"imageSizeInBytes":${number(record.sizeBytes)},"imagePushedAt":${number(epochSeconds(record.pushedAt))}`;
    text += `,"imageManifestMediaType":${this.quote(record.mediaType)}`;
    if (record.artifactMediaType) text += `,"artifactMediaType":${this.quote(record.artifactMediaType)}`;
    if (record.subjectDigest) text += `,"subjectManifestDigest":${quote(record.subjectDigest)}`;
    if (record.scan) text += this.scan(record.scan);
    this.out.append(`${text}}`);
  }

  private prefixFor(repositoryName: string): string {
    return `{"registryId":${this.quote(this.registryId)},"repositoryName":${this.quote(repositoryName)},"imageDigest":`;
  }

  finish(nextToken: string | undefined): RawJson {
    this.out.append(nextToken === undefined ? ']}' : `],"nextToken":${quote(nextToken)}}`);
    return this.out.finish();
  }

  private scan(scan: StoredScan): string {
    let text = this.scans.get(scan);
    if (text === undefined) {
      text = `,"imageScanStatus":${JSON.stringify({ status: scan.status, description: scanDescription(scan.status) })}`;
      if (scan.summary) {
        const summary = {
          imageScanCompletedAt: epochSeconds(scan.completedAt),
          vulnerabilitySourceUpdatedAt: epochSeconds(scan.completedAt),
          findingSeverityCounts: scan.counts,
        };
        text += `,"imageScanFindingsSummary":${JSON.stringify(summary)}`;
      }
      this.scans.set(scan, text);
    }
    return text;
  }

  private quote(value: string): string {
    let text = this.quoted.get(value);
    if (text === undefined) {
      text = quote(value);
      this.quoted.set(value, text);
    }
    return text;
  }
}

function quote(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

function tagList(tags: readonly string[]): string {
  if (tags.length === 1) return `[${quote(tags[0] ?? '')}]`;
  return `[${tags.map(quote).join(',')}]`;
}

/** JSON.stringify's form of a number (null for NaN and infinities). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
