/**
 * Holds live in Git as a small file at the branch root, keyed by environment then image:
 * visible in pull requests, revertable, editable by hand.
 *
 *   prod:
 *     podinfo:
 *       reason: incident 4711
 *       by: alice
 *       at: 2026-11-25T21:00:00.000Z
 */
import { isMap, isScalar, parseDocument, stringify, type Document } from 'yaml';
import { ManifestError } from '../errors.js';

export const HOLDS_FILE = '.drawbridge/holds.yaml';

const HEADER = [
  ' Images held by `drawbridge hold ENV IMAGE`: drawbridge leaves them as they are in that',
  ' environment. Lift a hold with `drawbridge release ENV IMAGE`, or delete the entry and commit.',
].join('\n');

export interface HoldEntry {
  readonly reason?: string;
  readonly by: string;
  readonly at: Date;
}

/** environment → image → hold. */
export type HoldTable = ReadonlyMap<string, ReadonlyMap<string, HoldEntry>>;

export function parseHolds(text: string | undefined): HoldTable {
  const table = new Map<string, Map<string, HoldEntry>>();
  if (text === undefined || text.trim() === '') return table;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw broken(doc.errors[0]?.message ?? 'not YAML');
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return table;
  if (!isRecord(value)) throw broken('expected a mapping of environment → image → hold');
  for (const [environment, images] of Object.entries(value)) {
    if (images === null) continue;
    if (!isRecord(images)) throw broken(`${environment}: expected a mapping of image → hold`);
    const entries = new Map<string, HoldEntry>();
    for (const [image, raw] of Object.entries(images)) entries.set(image, toEntry(raw));
    table.set(environment, entries);
  }
  return table;
}

/**
 * The file after holding (`entry`) or releasing (undefined) one image; comments and other
 * entries stay. `text: undefined` in the result means the file should be deleted (no holds left).
 */
export function updateHolds(
  text: string | undefined,
  environment: string,
  image: string,
  entry: HoldEntry | undefined,
): { readonly text: string | undefined; readonly changed: boolean } {
  parseHolds(text);
  const doc: Document = text?.trim() ? parseDocument(text) : parseDocument('{}');
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  if (!doc.commentBefore) doc.commentBefore = HEADER;
  const path = [environment, image];
  if (entry === undefined) {
    if (!doc.hasIn(path)) return { text, changed: false };
    doc.deleteIn(path);
    const images = doc.getIn([environment]);
    if (isMap(images) && images.items.length === 0) doc.deleteIn([environment]);
  } else {
    const current = parseHolds(text).get(environment)?.get(image);
    if (current && current.reason === entry.reason) return { text, changed: false };
    doc.setIn(path, doc.createNode(plain(entry)));
  }
  const root = doc.contents;
  if (isMap(root) && root.items.length === 0) return { text: undefined, changed: true };
  if (isMap(root)) root.flow = false;
  return { text: doc.toString({ lineWidth: 0 }), changed: true };
}

/** One entry as YAML, for messages. */
export function describeHold(entry: HoldEntry): string {
  return stringify(plain(entry)).trim();
}

function plain(entry: HoldEntry): Record<string, string> {
  return {
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    by: entry.by,
    at: entry.at.toISOString(),
  };
}

function toEntry(raw: unknown): HoldEntry {
  if (raw === null || raw === undefined) return { by: 'unknown', at: new Date(0) };
  if (!isRecord(raw)) throw broken('each hold is a mapping with reason, by and at');
  const at = new Date(scalar(raw['at']) ?? 0);
  const reason = scalar(raw['reason']);
  return {
    ...(reason === undefined ? {} : { reason }),
    by: scalar(raw['by']) ?? 'unknown',
    at: Number.isNaN(at.getTime()) ? new Date(0) : at,
  };
}

function scalar(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isScalar(value);
}

function broken(message: string): ManifestError {
  return new ManifestError(`${HOLDS_FILE} cannot be read: ${message}`, {
    hint: `fix or remove ${HOLDS_FILE} on the branch (drawbridge treats an unreadable holds file as an error, not as "no holds")`,
    context: { file: HOLDS_FILE },
  });
}
