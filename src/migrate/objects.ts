/**
 * Kubernetes objects for `drawbridge import` (SPEC §13): from files, folders (their `.yaml`
 * and `.yml` files, recursively) or `-` (what `kubectl get … -o yaml` prints: one `List`, or
 * several documents). Every document is parsed with `yaml`; a `List`'s items are taken one by
 * one. Input is outside data: a document that is no mapping is skipped, not trusted.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../checks/record.js';
import { UsageError } from '../errors.js';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly spec: Record<string, unknown>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** A ConfigMap's `data`: its string values only. */
  readonly data: Readonly<Record<string, string>>;
  /** Where it came from, for comments: `file.yaml` or `-`. */
  readonly from: string;
}

const MAX_BYTES = 64 << 20;

/** The objects of every source, in order. Throws UsageError for a path that cannot be read. */
export async function readObjects(
  sources: readonly string[],
  options: { readonly cwd: string; readonly stdin?: () => Promise<string> },
): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const source of sources.length === 0 ? ['-'] : sources) {
    if (source === '-') {
      if (!options.stdin) throw new UsageError('`-` reads standard input, which this command has none of');
      objects.push(...objectsOf(await options.stdin(), '-'));
      continue;
    }
    const path = resolve(options.cwd, source);
    for (const file of await yamlFiles(path, source)) {
      const text = await readFile(file.path, 'utf8');
      if (text.length > MAX_BYTES) throw new UsageError(`${file.shown} is larger than ${MAX_BYTES} bytes`);
      objects.push(...objectsOf(text, file.shown));
    }
  }
  return objects;
}

async function yamlFiles(path: string, shown: string): Promise<{ path: string; shown: string }[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`cannot read ${shown}`, {
      hint: 'give YAML files, folders of them, or - for standard input',
    });
  }
  if (!info.isDirectory()) return [{ path, shown }];
  const found: { path: string; shown: string }[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory())
      found.push(...(await yamlFiles(join(path, entry.name), `${shown}/${entry.name}`)));
    else if (/\.ya?ml$/.test(entry.name))
      found.push({ path: join(path, entry.name), shown: `${shown}/${entry.name}` });
  }
  return found;
}

export function objectsOf(text: string, from: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (!('toJS' in document) || document.errors.length > 0) continue;
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    const items =
      isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items']) ? value['items'] : [value];
    for (const item of items) {
      const object = toObject(item, from);
      if (object) objects.push(object);
    }
  }
  return objects;
}

function toObject(value: unknown, from: string): KubeObject | undefined {
  if (!isRecord(value)) return undefined;
  const { apiVersion, kind, metadata, spec, data } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !isRecord(metadata)) return undefined;
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : 'default';
  const annotations = stringsOf(metadata['annotations']);
  const labels = stringsOf(metadata['labels']);
  return {
    apiVersion,
    kind,
    name,
    namespace,
    spec: isRecord(spec) ? spec : {},
    annotations,
    labels,
    data: stringsOf(data),
    from,
  };
}

function stringsOf(value: unknown): Record<string, string> {
  const strings: Record<string, string> = {};
  if (isRecord(value))
    for (const [key, text] of Object.entries(value)) if (typeof text === 'string') strings[key] = text;
  return strings;
}

/** A nested field, or undefined. */
export function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
