/**
 * drawbridge's trailers: the machine-readable lines at the end of its commit messages, and
 * how it reads its own history (reverts, holds, promotion). They are always appended after
 * the rendered template, so a custom template can never break how history is read.
 *
 * Every value is checked against its grammar before it is written, so no input (a tag from a
 * registry, a name from a manifest) can add, change or split a trailer or a line; and reading
 * is as strict as writing. A line whose key is one of drawbridge's (in any case) must parse
 * exactly: the key as drawbridge writes it, `: `, and a value of its grammar (names as the
 * config allows them, tags by the OCI grammar, digests as sha256 in lower-case hex). A message
 * with any line that claims to be a drawbridge trailer and does not parse, or with
 * `Drawbridge-Environment` trailers that disagree, is treated as not drawbridge's at all: none
 * of its trailers count, and `refused` says why so the history reader can warn.
 */
import { GitError } from '../errors.js';
import { printable } from '../log/printable.js';
import { isValidDigest, isValidTag } from '../checks/grammar.js';

export const TRAILER_ENVIRONMENT = 'Drawbridge-Environment';
export const TRAILER_UPDATE = 'Drawbridge-Update';
export const TRAILER_HOLD = 'Drawbridge-Hold';
export const TRAILER_RELEASE = 'Drawbridge-Release';

const TRAILER_KEYS = [TRAILER_ENVIRONMENT, TRAILER_UPDATE, TRAILER_HOLD, TRAILER_RELEASE] as const;
type TrailerKey = (typeof TRAILER_KEYS)[number];
const KEY_BY_LOWER: ReadonlyMap<string, TrailerKey> = new Map(
  TRAILER_KEYS.map((key) => [key.toLowerCase(), key]),
);

/**
 * An empty old value (first write) travels as `-` so the trailer keeps four fields; so does an
 * old value that is not a tag (a placeholder a person wrote). No tag can be `-`.
 */
export const NONE = '-';

/** Environment names and image keys, as the config allows them (config/field-checks.ts KEY_PATTERN). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `image old -> new [digest]`, single spaces; each field is checked by its grammar after. */
const UPDATE_VALUE = /^(\S+) (\S+) -> (\S+)(?: (\S+))?$/;

export interface TrailerUpdate {
  readonly image: string;
  readonly old: string;
  readonly new: string;
  readonly digest?: string;
}

export function isTrailerName(value: string): boolean {
  return NAME.test(value);
}

function refuseToWrite(what: string, value: string, context: { environment: string; image?: string }): never {
  throw new GitError(
    `refusing to write a commit: ${what} ${JSON.stringify(printable(value, 80))} is not valid`,
    {
      hint: 'tags must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, digests sha256:<64 lower-case hex>, names [A-Za-z0-9][A-Za-z0-9._-]*',
      context,
    },
  );
}

/** The name, checked: throws GitError rather than write a value that could forge a line. */
export function trailerName(
  value: string,
  what: string,
  context: { environment: string; image?: string },
): string {
  if (!NAME.test(value)) refuseToWrite(what, value, context);
  return value;
}

/** One `Drawbridge-Environment` line, then one `Drawbridge-Update` line per image. Throws GitError on a bad value. */
export function renderUpdateTrailers(environment: string, updates: readonly TrailerUpdate[]): string {
  const lines = [`${TRAILER_ENVIRONMENT}: ${trailerName(environment, 'environment', { environment })}`];
  for (const u of updates) {
    const context = { environment, image: u.image };
    const image = trailerName(u.image, 'image key', context);
    if (!isValidTag(u.new)) refuseToWrite(`new tag of ${image}`, u.new, context);
    if (u.digest && !isValidDigest(u.digest)) refuseToWrite(`digest of ${image}`, u.digest, context);
    const old = isValidTag(u.old) ? u.old : NONE;
    lines.push(`${TRAILER_UPDATE}: ${image} ${old} -> ${u.new}${u.digest ? ` ${u.digest}` : ''}`);
  }
  return lines.join('\n');
}

export interface ParsedTrailers {
  readonly environment?: string;
  readonly updates: { image: string; old: string; new: string; digest?: string }[];
  readonly hold?: string;
  readonly release?: string;
  /** Why the message's trailers were refused (then nothing else is set); absent when not. */
  readonly refused?: readonly string[];
}

/** Squash merges indent or bullet the original lines. */
const SQUASH_PREFIX = /^[\s*-]+/;
/** A line that names one of drawbridge's keys, in any case and with any spacing. */
const CLAIM = /^(drawbridge-[a-z]+)[ \t]*:/i;

/** The drawbridge key a line claims to carry (after squash prefixes), if any. */
function claimedKey(line: string): TrailerKey | undefined {
  const match = CLAIM.exec(line.replace(SQUASH_PREFIX, ''));
  return match ? KEY_BY_LOWER.get(match[1]!.toLowerCase()) : undefined;
}

/** Whether a line of free text would be read as a drawbridge trailer (message.ts neutralizes those). */
export function claimsTrailer(line: string): boolean {
  return claimedKey(line) !== undefined;
}

type Update = ParsedTrailers['updates'][number];

function parseUpdate(value: string): Update | undefined {
  const match = UPDATE_VALUE.exec(value);
  if (!match) return undefined;
  const [, image = '', old = '', next = '', digest] = match;
  if (!NAME.test(image) || !isValidTag(next)) return undefined;
  if (old !== NONE && !isValidTag(old)) return undefined;
  if (digest !== undefined && !isValidDigest(digest)) return undefined;
  return { image, old: old === NONE ? '' : old, new: next, ...(digest ? { digest } : {}) };
}

/**
 * Reads drawbridge's trailers from anywhere in a message: squash merges keep them in the
 * body, not in the final paragraph, and they must still count. Strict: see the file comment.
 */
export function parseTrailers(message: string): ParsedTrailers {
  const environments = new Set<string>();
  let hold: string | undefined;
  let release: string | undefined;
  const updates: Update[] = [];
  const refused: string[] = [];
  const lines = message.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const key = claimedKey(raw);
    if (key === undefined) continue;
    const line = raw.replace(SQUASH_PREFIX, '');
    const value = line.startsWith(`${key}: `) ? line.slice(key.length + 2) : undefined;
    const refuse = (why: string): void => {
      refused.push(`line ${index + 1}: ${why}`);
    };
    if (value === undefined) {
      refuse(`${printable(line.slice(0, line.indexOf(':')), 40)} is not written \`${key}: \``);
      continue;
    }
    if (key === TRAILER_UPDATE) {
      const update = parseUpdate(value);
      if (update) updates.push(update);
      else refuse(`${key} value is not \`image old -> new [digest]\` of valid names, tags and digest`);
      continue;
    }
    if (!NAME.test(value)) {
      refuse(`${key} value is not a valid name`);
      continue;
    }
    if (key === TRAILER_ENVIRONMENT) environments.add(value);
    else if (key === TRAILER_HOLD) hold ??= value;
    else release ??= value;
  }
  if (environments.size > 1) refused.push(`${environments.size} different ${TRAILER_ENVIRONMENT} trailers`);
  if (refused.length > 0) return { updates: [], refused };
  const [environment] = environments;
  return {
    ...(environment === undefined ? {} : { environment }),
    updates,
    ...(hold === undefined ? {} : { hold }),
    ...(release === undefined ? {} : { release }),
  };
}
