import { CST, Scalar, YAMLMap } from 'yaml-next';
import type { Document } from 'yaml-next';
import { valueForField } from './field-value.js';

import { parseMarkerComment } from './marker-ref.js';
import type { MarkerSite } from './marker-sites.js';
import { documentAt, parseSource, positionOf } from './parse-source.js';
import type { ParsedSource } from './parse-source.js';
import { renderScalar } from './render-scalar.js';
import { tokenFingerprint } from './token-fingerprint.js';
import { decodeSource } from './source-text.js';
import type { SourceText } from './source-text.js';
import type { DesiredImage, FileProblem, FileProblemCode, Marker, PlannedEdit } from './types.js';

export interface FilePlan {
  readonly markers: readonly Marker[];
  readonly edits: readonly PlannedEdit[];
  readonly problems: readonly FileProblem[];
  /**
   * When there are edits: the token fingerprint of the file with the edited scalars masked
   * (see `tokenFingerprint`). The file parsed without errors.
   */
  readonly fingerprint?: string;
}

const NO_DESIRED: ReadonlyMap<string, DesiredImage> = new Map();

/** The markers of one file, without planning edits. */
export function findFileMarkers(
  file: string,
  bytes: Uint8Array,
  knownImages: ReadonlySet<string>,
): Omit<FilePlan, 'edits'> {
  const { markers, problems } = planFileEdits(file, bytes, NO_DESIRED, knownImages);
  return { markers, problems };
}

/**
 * Pure core of planning: finds the markers in one file's bytes and, for images in `desired`,
 * the byte-exact edits that set each marked scalar to its new value. Never throws for bad
 * input; problems are returned.
 */
export function planFileEdits(
  file: string,
  bytes: Uint8Array,
  desired: ReadonlyMap<string, DesiredImage>,
  knownImages: ReadonlySet<string>,
): FilePlan {
  const source = decodeSource(bytes);
  if (!source)
    return onlyProblem({
      code: 'unparseable',
      file,
      severity: 'error',
      message: 'not valid UTF-8; left alone',
    });
  const parsed = parseSource(source.text, { markers: true });
  if (parsed.failure) {
    const at = positionOf(parsed, source.text, parsed.failure.offset);
    const message = `does not parse as YAML, left alone: ${parsed.failure.message}`;
    return onlyProblem({ code: 'unparseable', file, ...at, severity: 'error', message });
  }
  const markers: Marker[] = [];
  const edits: PlannedEdit[] = [];
  const problems: FileProblem[] = [];
  const editedOffsets = new Set<number>();
  const context: SiteContext = {
    file,
    source,
    parsed,
    desired,
    knownImages,
    markers,
    edits,
    problems,
    editedOffsets,
  };
  for (const site of parsed.sites) planSite(context, site);
  if (edits.length === 0) return { markers, edits, problems };
  const fingerprint = tokenFingerprint(parsed.shapes, source.text, editedOffsets);
  return { markers, edits, problems, ...(fingerprint === undefined ? {} : { fingerprint }) };
}

interface SiteContext {
  readonly file: string;
  readonly source: SourceText;
  readonly parsed: ParsedSource;
  readonly desired: ReadonlyMap<string, DesiredImage>;
  readonly knownImages: ReadonlySet<string>;
  readonly markers: Marker[];
  readonly edits: PlannedEdit[];
  readonly problems: FileProblem[];
  /** String indices of the edited scalars. */
  readonly editedOffsets: Set<number>;
}

function planSite(context: SiteContext, site: MarkerSite): void {
  const { file, source, parsed } = context;
  const warn = (offset: number, message: string, code?: FileProblemCode): void => {
    const at = positionOf(parsed, source.text, offset);
    context.problems.push({ ...(code ? { code } : {}), file, ...at, severity: 'warning', message });
  };
  const ref = parseMarkerComment(site.comment);
  if (ref === undefined) {
    warn(
      site.commentOffset,
      'comment mentions $imagepolicy but is not {"$imagepolicy": "<image>"}; ignored',
      'bad-marker',
    );
    return;
  }
  if ('error' in ref) {
    warn(site.commentOffset, `bad marker: ${ref.error}; ignored`, 'bad-marker');
    return;
  }
  const scalar = site.scalar;
  if (!scalar || scalar.role === 'key') {
    const why = scalar ? 'it follows a mapping key, not a value' : (site.reason ?? 'it trails no scalar');
    warn(site.commentOffset, `marker for "${ref.imageKey}" ignored: ${why}`, 'bad-marker');
    return;
  }
  const { token } = scalar;
  const at = positionOf(parsed, source.text, token.offset);
  if (!context.knownImages.has(ref.imageKey)) {
    warn(
      token.offset,
      `marker names image "${ref.imageKey}", which is not in the config's images`,
      'unknown-image',
    );
  }
  const value = CST.resolveAsScalar(token).value;
  const owner = ownerOf(documentAt(parsed, token.offset));
  const marker: Marker = { ...ref, file, ...at, value, ...owner };
  context.markers.push(marker);

  const desired = context.desired.get(ref.imageKey);
  if (!desired) return;
  const next = valueForField(ref.field, desired);
  if (next === undefined) {
    warn(token.offset, `no digest is known for image "${ref.imageKey}"; marker left as it is`);
    return;
  }
  if (next === value) return;
  context.editedOffsets.add(token.offset);
  context.edits.push({
    file,
    line: at.line,
    column: at.column,
    old: value,
    new: next,
    imageKey: ref.imageKey,
    field: ref.field,
    ...owner,
    start: source.byteOffset(token.offset),
    end: source.byteOffset(token.offset + token.source.length),
    replacement: renderScalar(token.type, next, scalar.inFlow),
  });
}

function ownerOf(document: Document.Parsed | undefined): { documentKind?: string; documentName?: string } {
  const top = document?.value;
  if (!(top instanceof YAMLMap)) return {};
  const kind = stringAt(top, 'kind');
  const metadata = top.get('metadata');
  const name = metadata instanceof YAMLMap ? stringAt(metadata, 'name') : undefined;
  return {
    ...(kind === undefined ? {} : { documentKind: kind }),
    ...(name === undefined ? {} : { documentName: name }),
  };
}

/** The string a mapping holds under `key`, when it holds a string scalar there. */
function stringAt(map: YAMLMap, key: string): string | undefined {
  const node = map.get(key);
  return node instanceof Scalar && typeof node.value === 'string' ? node.value : undefined;
}

function onlyProblem(problem: FileProblem): FilePlan {
  return { markers: [], edits: [], problems: [problem] };
}
