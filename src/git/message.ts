/**
 * Commit messages (SPEC §5, §9): a template for people, trailers for drawbridge. The message
 * stays readable at any size: the subject is one line of at most 72 characters (the first
 * images, then `and N more`), the body lists every image with its files (long lists cut with
 * a count), and every update keeps its trailer, since history is read from them.
 *
 * Template placeholders: {{environment}}, {{subject}} (the default first line), {{summary}}
 * (the subject after `deploy(env): `), {{body}} (the default per-image blocks), {{changes}}
 * (one `image old → new` line per image), {{count}} (images), {{images}} (image keys, comma
 * separated), {{fileCount}} (files changed), {{referenceCount}} (marked values changed).
 */
import {
  placeholderPattern,
  TEMPLATE_PLACEHOLDERS,
  type TemplatePlaceholder,
} from '../config/message-template.js';
import { printable } from '../log/printable.js';
import {
  claimsTrailer,
  NONE,
  renderUpdateTrailers,
  TRAILER_ENVIRONMENT,
  TRAILER_HOLD,
  TRAILER_RELEASE,
  trailerName,
} from './trailers.js';

export {
  parseTrailers,
  TRAILER_ENVIRONMENT,
  TRAILER_HOLD,
  TRAILER_RELEASE,
  TRAILER_UPDATE,
  type ParsedTrailers,
} from './trailers.js';

export interface CommitUpdate {
  readonly image: string;
  readonly repository: string;
  readonly old: string;
  readonly new: string;
  readonly digest: string;
  /** Distinct files changed for this image. */
  readonly files: readonly { readonly file: string; readonly kind?: string; readonly name?: string }[];
  /** Marked values changed for this image; default one per file. */
  readonly references?: number;
}

export const DEFAULT_TEMPLATE = '{{subject}}\n\n{{body}}';
export { TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from '../config/message-template.js';

/** The longest subject line, in characters (git's and the forges' convention). */
export const SUBJECT_MAX = 72;
/** File lines in the body, shared by all images (each gets an equal part, at most this many). */
const BODY_FILE_LINES = 100;
/** Digest characters shown in the body (the trailer keeps the whole digest). */
const SHORT_DIGEST = 'sha256:'.length + 12;

export interface RenderInput {
  readonly environment: string;
  readonly updates: readonly CommitUpdate[];
  readonly template?: string;
}

/**
 * Throws GitError when a value the trailers carry (environment, image key, new tag, digest)
 * is outside its grammar: such a commit is never written.
 */
export function renderCommitMessage(input: RenderInput): string {
  const { environment } = input;
  // First, so a bad value is refused before anything is rendered.
  const trailers = renderUpdateTrailers(environment, input.updates);
  const updates = input.updates.map(oneLineUpdate);
  const changes = updates.map(change);
  const prefix = `deploy(${environment}): `;
  const summary = summarise(changes, updates, SUBJECT_MAX - length(prefix));
  const values: Record<TemplatePlaceholder, string> = {
    environment,
    subject: cut(`${prefix}${summary}`, SUBJECT_MAX),
    summary,
    body: renderBody(updates),
    changes: changes.join('\n'),
    count: String(updates.length),
    images: updates.map((u) => u.image).join(', '),
    fileCount: String(new Set(updates.flatMap((u) => u.files.map((f) => f.file))).size),
    referenceCount: String(updates.reduce((sum, u) => sum + (u.references ?? u.files.length), 0)),
  };
  const known: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS);
  const text = (input.template ?? DEFAULT_TEMPLATE).replace(placeholderPattern(), (whole, name: string) =>
    known.has(name) ? values[name as TemplatePlaceholder] : whole,
  );
  return `${neutralize(text).trimEnd()}\n\n${trailers}\n`;
}

/** Longest text from outside (a file path, a document name, an old value) put on one line. */
const VALUE_MAX = 200;

/**
 * The update with every value that reaches the body or subject on one line: old values,
 * paths and document names come from the repository's files and may hold anything.
 */
function oneLineUpdate(update: CommitUpdate): CommitUpdate {
  return {
    ...update,
    repository: printable(update.repository, VALUE_MAX),
    old: printable(update.old, VALUE_MAX),
    files: update.files.map((f) => ({
      file: printable(f.file, VALUE_MAX),
      ...(f.kind === undefined ? {} : { kind: printable(f.kind, VALUE_MAX) }),
      ...(f.name === undefined ? {} : { name: printable(f.name, VALUE_MAX) }),
    })),
  };
}

/**
 * Lines of the human part that would read as a drawbridge trailer (a file named
 * `Drawbridge-Update: …`, a template line) are quoted with `> `, which the reader does not
 * strip: only the trailers drawbridge appends count.
 */
function neutralize(text: string): string {
  return text
    .split('\n')
    .map((line) => (claimsTrailer(line) ? `> ${line}` : line))
    .join('\n');
}

function change(update: CommitUpdate): string {
  return `${update.image} ${update.old || NONE} → ${update.new}`;
}

/**
 * As many changes as fit in `room` characters, then `and N more`; image keys alone when not
 * even one change fits; else a count.
 */
function summarise(changes: readonly string[], updates: readonly CommitUpdate[], room: number): string {
  return (
    fitting(changes, room) ??
    fitting(
      updates.map((u) => u.image),
      room,
    ) ??
    `${updates.length} image${updates.length === 1 ? '' : 's'}`
  );
}

/** The longest `a, b and N more` of `items` within `room` characters; undefined when none fits. */
function fitting(items: readonly string[], room: number): string | undefined {
  let best: string | undefined;
  let listed = '';
  for (const [index, item] of items.entries()) {
    listed = index === 0 ? item : `${listed}, ${item}`;
    if (length(listed) > room) break;
    const rest = items.length - index - 1;
    const text = rest === 0 ? listed : `${listed} and ${rest} more`;
    if (length(text) <= room) best = text;
  }
  return best;
}

function renderBody(updates: readonly CommitUpdate[]): string {
  const perImage = Math.floor(BODY_FILE_LINES / Math.max(1, updates.length));
  return updates.map((update) => imageBlock(update, perImage)).join('\n');
}

function imageBlock(update: CommitUpdate, maxFiles: number): string {
  const digest = update.digest ? `  ${update.digest.slice(0, SHORT_DIGEST)}` : '';
  const lines = [`${update.image}  ${update.repository}  ${update.old || NONE} → ${update.new}${digest}`];
  const shown = update.files.slice(0, maxFiles);
  for (const f of shown) {
    const what = f.kind && f.name ? `  ${f.kind}/${f.name}` : f.kind ? `  ${f.kind}` : '';
    lines.push(`  ${f.file}${what}`);
  }
  const rest = update.files.length - shown.length;
  if (rest > 0) {
    lines.push(
      shown.length === 0 ? `  ${files(rest)}` : `  … and ${rest} more ${rest === 1 ? 'file' : 'files'}`,
    );
  }
  return lines.join('\n');
}

function files(n: number): string {
  return `${n} ${n === 1 ? 'file' : 'files'}`;
}

/** Characters as a person counts them (code points, so `→` is one). */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function cut(text: string, max: number): string {
  return length(text) <= max ? text : `${[...text].slice(0, max - 1).join('')}…`;
}

/** The commit of `drawbridge hold` / `release`. */
export function renderHoldMessage(input: {
  readonly environment: string;
  readonly image: string;
  readonly hold: boolean;
  readonly by: string;
  readonly reason?: string;
}): string {
  const context = { environment: input.environment, image: input.image };
  const environment = trailerName(input.environment, 'environment', context);
  const image = trailerName(input.image, 'image key', context);
  const verb = input.hold ? 'hold' : 'release';
  // Who and why are free text (a git identity, --reason): one line each, never a trailer.
  const by = printable(input.by, VALUE_MAX);
  const reason = input.reason ? printable(input.reason, 500) : '';
  const why = neutralize(input.hold ? `Held by ${by}${reason ? `: ${reason}` : ''}.` : `Released by ${by}.`);
  const trailer = input.hold ? TRAILER_HOLD : TRAILER_RELEASE;
  return `${verb}(${environment}): ${image}\n\n${why}\n\n${TRAILER_ENVIRONMENT}: ${environment}\n${trailer}: ${image}\n`;
}
