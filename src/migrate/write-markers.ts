/**
 * `--write-markers REPO_DIR` (SPEC §13): adds `# {"$imagepolicy": "<key>:tag"}` markers where
 * Argo CD Image Updater used to write, byte-exact: a kustomization's `images:` entry (its
 * `newTag`, and `digest` when the policy pins digests) or a Helm values file's keys (the
 * `helm.image-tag` / `helm.image-name` paths, or `helm.image-spec` for the whole reference).
 * Only bytes are added, at the end of the scalar's line; each file is re-read afterwards with
 * drawbridge's own marker finder and parsed again to the same values before it is written, so
 * a marker that would not be found, or would change a value, is never written. A line that
 * already has a comment, a flow collection or a multi-line scalar is left alone with a note.
 * Paths stay inside REPO_DIR (no `..`, no symlinks).
 */
import { lstat, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Scalar } from 'yaml';
import { findFileMarkers } from '../manifest/plan-file.js';
import { parseMarkerComment } from '../manifest/marker-ref.js';
import type { MarkerRequest } from './marker-requests.js';

const MAX_FILE_BYTES = 5 << 20;
const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface MarkerReport {
  /** Markers added. */
  readonly written: number;
  /** Markers that were there already. */
  readonly present: number;
  readonly files: readonly string[];
  /** Environment → what could not be marked. */
  readonly notes: ReadonlyMap<string, readonly string[]>;
}

interface Insertion {
  readonly offset: number;
  readonly text: string;
  readonly line: number;
  readonly imageKey: string;
  readonly field: 'image' | 'tag' | 'name' | 'digest';
}

interface Site {
  readonly node: Scalar;
  readonly field: Insertion['field'];
}

export async function writeMarkers(root: string, requests: readonly MarkerRequest[]): Promise<MarkerReport> {
  const notes = new Map<string, string[]>();
  const note = (environment: string, message: string): void => {
    notes.set(environment, [...(notes.get(environment) ?? []), message]);
  };
  const realRoot = await realpath(root);
  const knownKeys = new Set(requests.map((request) => request.imageKey));
  const byFile = new Map<string, MarkerRequest[]>();
  for (const request of requests) {
    const file = await targetFile(realRoot, request);
    if ('problem' in file) {
      note(request.environment, `no marker for ${request.imageKey}: ${file.problem}`);
      continue;
    }
    byFile.set(file.path, [...(byFile.get(file.path) ?? []), request]);
  }
  let written = 0;
  let present = 0;
  const files: string[] = [];
  for (const [path, fileRequests] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const shown = relative(realRoot, path).split(sep).join('/');
    const bytes = await readFile(path);
    const original = bytes.toString('utf8');
    const documents = parseAllDocuments(original);
    if (documents.some((document) => 'errors' in document && document.errors.length > 0)) {
      for (const request of fileRequests)
        note(request.environment, `no marker for ${request.imageKey}: ${shown} does not parse as YAML`);
      continue;
    }
    const parsed = documents as Document.Parsed[];
    const insertions: Insertion[] = [];
    for (const request of fileRequests) {
      const sites =
        request.target === 'kustomization' ? kustomizationSites(parsed, request) : helmSites(parsed, request);
      if ('problem' in sites) {
        note(request.environment, `no marker for ${request.imageKey} in ${shown}: ${sites.problem}`);
        continue;
      }
      for (const site of sites) {
        const placed = insertionAt(original, site, request.imageKey);
        if (placed === 'present') present += 1;
        else if ('problem' in placed)
          note(
            request.environment,
            `no ${site.field} marker for ${request.imageKey} in ${shown}: ${placed.problem}`,
          );
        else if (!insertions.some((other) => other.offset === placed.offset)) insertions.push(placed);
      }
    }
    if (insertions.length === 0) continue;
    let next = original;
    for (const insertion of [...insertions].sort((a, b) => b.offset - a.offset))
      next = next.slice(0, insertion.offset) + insertion.text + next.slice(insertion.offset);
    let problem: string | undefined;
    try {
      problem = confirm(shown, { text: original, documents: parsed }, next, insertions, knownKeys);
    } catch (error) {
      problem = `it cannot be read back (${error instanceof Error ? error.message : String(error)}); nothing written`;
    }
    if (problem !== undefined) {
      for (const request of fileRequests) note(request.environment, `no markers in ${shown}: ${problem}`);
      continue;
    }
    const temporary = join(dirname(path), `.drawbridge-markers-${process.pid}.tmp`);
    await writeFile(temporary, next, { mode: (await stat(path)).mode & 0o7777 });
    await rename(temporary, path);
    written += insertions.length;
    files.push(shown);
  }
  return { written, present, files, notes };
}

async function targetFile(
  root: string,
  request: MarkerRequest,
): Promise<{ path: string } | { problem: string }> {
  const candidates =
    request.target === 'kustomization'
      ? KUSTOMIZATION_NAMES.map((name) => join(root, request.path, name))
      : [join(root, request.path)];
  for (const candidate of candidates) {
    let info;
    try {
      info = await lstat(candidate);
    } catch {
      continue;
    }
    if (info.isSymbolicLink()) return { problem: `${shownPath(root, candidate)} is a symlink, not followed` };
    if (!info.isFile()) continue;
    if (info.size > MAX_FILE_BYTES)
      return { problem: `${shownPath(root, candidate)} is larger than ${MAX_FILE_BYTES} bytes` };
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(`${root}${sep}`))
      return { problem: `${shownPath(root, candidate)} lies outside the repository` };
    return { path: real };
  }
  return {
    problem:
      request.target === 'kustomization'
        ? `no kustomization file in ${request.path || '.'}`
        : `no values file ${request.path}`,
  };
}

const shownPath = (root: string, path: string): string => relative(root, path).split(sep).join('/');

/** The `images:` entry named as the manifests name the image: its `newTag` (and `digest`). */
function kustomizationSites(
  documents: readonly Document.Parsed[],
  request: MarkerRequest,
): Site[] | { problem: string } {
  const entries = documents.flatMap((document) => {
    const images = document.get('images', true);
    return isSeq(images) ? images.items.filter(isMap) : [];
  });
  for (const name of request.kustomizeNames) {
    for (const item of entries) {
      if (item.get('name') !== name) continue;
      const sites: Site[] = [];
      const tag = item.get('newTag', true);
      if (isScalar(tag)) sites.push({ node: tag, field: 'tag' });
      const digest = item.get('digest', true);
      if (request.digest && isScalar(digest)) sites.push({ node: digest, field: 'digest' });
      if (sites.length === 0)
        return {
          problem: `its images entry ${name} has no newTag: add newTag with the running tag, then run again`,
        };
      return sites;
    }
  }
  return { problem: `no images entry named ${request.kustomizeNames.join(' or ')}` };
}

/** The dotted keys Image Updater set: the whole reference, else the name and the tag. */
function helmSites(
  documents: readonly Document.Parsed[],
  request: MarkerRequest,
): Site[] | { problem: string } {
  const at = (dotted: string): Scalar | undefined => {
    for (const document of documents) {
      const node = document.getIn(dotted.split('.'), true);
      if (isScalar(node)) return node;
    }
    return undefined;
  };
  if (request.helm.spec !== undefined) {
    const spec = at(request.helm.spec);
    return spec ? [{ node: spec, field: 'image' }] : { problem: `no key ${request.helm.spec}` };
  }
  const sites: Site[] = [];
  const tag = at(request.helm.tag);
  if (tag) sites.push({ node: tag, field: 'tag' });
  const name = at(request.helm.name);
  if (name && tag) sites.push({ node: name, field: 'name' });
  return sites.length > 0 ? sites : { problem: `no key ${request.helm.tag}` };
}

/** Where the marker goes: the end of the scalar's line, which must hold nothing after it. */
function insertionAt(
  text: string,
  site: Site,
  imageKey: string,
): Insertion | 'present' | { problem: string } {
  const range = site.node.range;
  if (!range) return { problem: 'the value has no place in the file' };
  const [start, valueEnd] = range;
  if (text.slice(start, valueEnd).includes('\n')) return { problem: 'the value spans several lines' };
  const newline = text.indexOf('\n', valueEnd);
  let lineEnd = newline < 0 ? text.length : newline;
  if (text[lineEnd - 1] === '\r') lineEnd -= 1;
  const rest = text.slice(valueEnd, lineEnd);
  const field = site.field;
  const value = field === 'image' ? imageKey : `${imageKey}:${field}`;
  const comment = /^\s+#(.*)$/.exec(rest);
  if (comment) {
    const existing = parseMarkerComment(comment[1] ?? '');
    if (existing && !('error' in existing) && existing.imageKey === imageKey && existing.field === field)
      return 'present';
    return { problem: 'its line has a comment already; add the marker by hand' };
  }
  if (!/^[ \t]*$/.test(rest))
    return { problem: 'the value sits inside a flow collection; add the marker by hand' };
  const line = text.slice(0, valueEnd).split('\n').length;
  const marker = `# {"$imagepolicy": ${JSON.stringify(value)}}`;
  return { offset: lineEnd, text: rest === '' ? ` ${marker}` : marker, line, imageKey, field };
}

/** The edited file must give the same values and show exactly the markers meant, where meant. */
function confirm(
  shown: string,
  before: { readonly text: string; readonly documents: readonly Document.Parsed[] },
  after: string,
  insertions: readonly Insertion[],
  knownKeys: ReadonlySet<string>,
): string | undefined {
  const values = (documents: readonly Document[]): string =>
    JSON.stringify(
      documents.map((document) => {
        const value: unknown = document.toJS({ maxAliasCount: 100 });
        return value;
      }),
    );
  if (values(before.documents) !== values(parseAllDocuments(after)))
    return 'a marker would change a value; nothing written';
  const errors = (text: string): string[] =>
    findFileMarkers(shown, Buffer.from(text, 'utf8'), knownKeys)
      .problems.filter((problem) => problem.severity === 'error')
      .map((problem) => problem.message);
  const already = new Set(errors(before.text));
  const found = findFileMarkers(shown, Buffer.from(after, 'utf8'), knownKeys);
  const error = found.problems.find(
    (problem) => problem.severity === 'error' && !already.has(problem.message),
  );
  if (error) return `${error.message}; nothing written`;
  for (const insertion of insertions) {
    const marker = found.markers.find((candidate) => candidate.line === insertion.line);
    if (!marker || marker.imageKey !== insertion.imageKey || marker.field !== insertion.field)
      return `a marker on line ${insertion.line} would not be read as meant; nothing written`;
  }
  return undefined;
}
