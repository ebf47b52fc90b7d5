/**
 * zod's issues in the words of a config file: "unknown key `semvr`; did you mean `semver`?",
 * "expected a list, got the string `clusters/prod`", each anchored on the node to fix.
 */
import type { z } from 'zod';
import type { PathIssue, PathSegment } from './issues.js';
import { dottedPath } from './issues.js';
import { isMapping, valueAt } from './raw.js';
import { describe, keyHomes, knownKeys, schemaAt } from './schema-walk.js';
import { closest, suggestionHint } from './suggest.js';
import { lowerFirst } from './text.js';

type ZodIssue = z.core.$ZodIssue;

export function fromZodIssues(issues: readonly ZodIssue[], input: unknown, root: z.ZodType): PathIssue[] {
  const homes = keyHomes(root);
  const translated = issues.flatMap((issue) => translate(issue, toPath(issue.path), input, root, homes));
  // `urll: x` already says "did you mean `url`?"; "missing `url`" would repeat it.
  const suggested = new Set(
    translated.flatMap((issue) => (issue.suggests === undefined ? [] : [issue.suggests])),
  );
  return translated
    .filter((issue) => issue.missing === undefined || !suggested.has(issue.missing))
    .map(({ suggests: _suggests, missing: _missing, ...issue }) => issue);
}

/** With the dotted path of a key it suggests, or of a key it reports missing. */
interface Translated extends PathIssue {
  readonly suggests?: string;
  readonly missing?: string;
}

function translate(
  issue: ZodIssue,
  path: PathSegment[],
  input: unknown,
  root: z.ZodType,
  homes: ReadonlyMap<string, readonly string[]>,
): Translated[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(key, path, root, homes));
    case 'invalid_type':
      return [invalidType(issue.expected, path, input, root)];
    case 'invalid_value':
      return [invalidValue(issue.values, path, valueAt(input, path))];
    case 'too_small':
    case 'too_big':
      return [outOfBounds(issue, path)];
    case 'invalid_format':
      return [invalidFormat(issue.format, path, valueAt(input, path))];
    case 'invalid_key': {
      const inner = issue.issues[0];
      const hint = inner?.code === 'custom' ? hintOf(inner) : undefined;
      return [{ path, at: 'key', message: inner?.message ?? 'invalid key', ...(hint ? { hint } : {}) }];
    }
    case 'custom': {
      const hint = hintOf(issue);
      return [{ path, message: issue.message, ...(hint ? { hint } : {}) }];
    }
    default:
      return [{ path, message: issue.message }];
  }
}

function unknownKey(
  key: string,
  parent: PathSegment[],
  root: z.ZodType,
  homes: ReadonlyMap<string, readonly string[]>,
): Translated {
  const known = knownKeys(schemaAt(root, parent)) ?? [];
  const path = [...parent, key];
  const message = `unknown key \`${key}\``;
  const match = closest(key, known);
  if (match !== undefined) {
    return {
      path,
      at: 'key',
      message,
      hint: suggestionHint(key, known),
      suggests: dottedPath([...parent, match]),
    };
  }
  const elsewhere = homes.get(key)?.filter((home) => !matchesHome(home, parent));
  if (elsewhere && elsewhere.length > 0) {
    const where = elsewhere.map((home) => (home === '' ? 'the top level' : `\`${home}\``)).join(' or ');
    return { path, at: 'key', message, hint: `\`${key}\` belongs under ${where}` };
  }
  return { path, at: 'key', message, hint: suggestionHint(key, known) };
}

function matchesHome(home: string, parent: readonly PathSegment[]): boolean {
  const parts = home === '' ? [] : home.split('.');
  return (
    parts.length === parent.length &&
    parts.every((part, i) => part === '<name>' || part === String(parent[i]))
  );
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function invalidType(expected: string, path: PathSegment[], input: unknown, root: z.ZodType): Translated {
  const parentPath = path.slice(0, -1);
  const parent = valueAt(input, parentPath);
  const key = path.at(-1);
  const description = describe(schemaAt(root, path));
  if (key !== undefined && isMapping(parent) && !(String(key) in parent)) {
    const under = parentPath.length === 0 ? 'at the top level' : `under \`${dottedPath(parentPath)}\``;
    return {
      path,
      locate: parentPath,
      message: `missing required key \`${String(key)}\``,
      missing: dottedPath(path),
      hint: `add \`${String(key)}:\` ${under}${description ? `: ${lowerFirst(description)}` : ''}`,
    };
  }
  if (path.length === 0) {
    return {
      path,
      message:
        input === null || input === undefined
          ? 'the file is empty'
          : `expected a mapping, got ${kindOf(input)}`,
      hint: 'start with `version: 1`, then `git:`, `images:` and `environments:` (see the README)',
    };
  }
  const value = valueAt(input, path);
  const wanted = EXPECTED[expected] ?? expected;
  return {
    path,
    message: `expected ${wanted}, got ${kindOf(value)}`,
    hint: typeHint(expected, value, description),
  };
}

function typeHint(expected: string, value: unknown, description: string | undefined): string {
  const about = description ? lowerFirst(description) : undefined;
  if (expected === 'array' && typeof value === 'string') return `write a list: [${value}]`;
  if (value === null) return `give it a value${about ? `: ${about}` : ''}`;
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `quote it: '${String(value)}'${about ? ` (${about.replace(/\.$/, '')})` : ''}`;
  }
  return `write ${EXPECTED[expected] ?? expected} here${about ? `: ${about}` : ''}`;
}

function invalidValue(values: readonly unknown[], path: PathSegment[], value: unknown): PathIssue {
  const allowed = values.map((allowedValue) => String(allowedValue));
  if (path.length === 1 && path[0] === 'version') {
    const quoted = typeof value === 'string' && value === '1';
    return {
      path,
      message: `version must be 1, got ${kindOf(value)}`,
      hint: quoted ? 'write 1 without quotes' : 'this drawbridge reads `version: 1`',
    };
  }
  const message =
    allowed.length === 1
      ? `expected \`${allowed[0]}\`, got ${kindOf(value)}`
      : `expected one of ${allowed.join(', ')}, got ${kindOf(value)}`;
  const match = typeof value === 'string' ? closest(value, allowed) : undefined;
  return {
    path,
    message,
    hint: match === undefined ? `write one of ${allowed.join(', ')}` : `did you mean \`${match}\`?`,
  };
}

function outOfBounds(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  path: PathSegment[],
): PathIssue {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  const got = issue.input === undefined ? '' : `, got ${kindOf(issue.input)}`;
  if (issue.origin === 'string' && small && limit === 1) {
    return { path, message: 'must not be empty', hint: 'give it a value or remove the key' };
  }
  if (issue.origin === 'string') {
    return { path, message: `must have ${small ? 'at least' : 'at most'} ${limit} characters${got}` };
  }
  if (issue.origin === 'array' && small && limit === 1) {
    return { path, message: 'the list is empty', hint: 'list at least one entry, or remove the key' };
  }
  if (issue.origin === 'array') {
    return { path, message: `must have ${small ? 'at least' : 'at most'} ${limit} items` };
  }
  const bound =
    issue.inclusive === false ? (small ? 'more than' : 'less than') : small ? 'at least' : 'at most';
  return { path, message: `must be ${bound} ${limit}${got}` };
}

function invalidFormat(format: string, path: PathSegment[], value: unknown): PathIssue {
  if (format === 'url') {
    return { path, message: `${kindOf(value)} is not a URL`, hint: 'write a full URL, e.g. https://…' };
  }
  return { path, message: `${kindOf(value)} is not a valid ${format}` };
}

function hintOf(issue: z.core.$ZodIssueCustom): string | undefined {
  const hint: unknown = issue.params?.['hint'];
  return typeof hint === 'string' ? hint : undefined;
}

function toPath(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/** How a value reads in a message: "the number 5", "the string `x`", "a list", "nothing". */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string \`${value.length > 40 ? `${value.slice(0, 40)}…` : value}\``;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `\`${String(value)}\``;
  return typeof value;
}
