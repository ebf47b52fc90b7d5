/**
 * EventBridge event patterns: the one drawbridge asks for (ECR pushes of the configured
 * repositories) and a matcher for the subset of the pattern language it and its users need
 * (exact values, prefix, suffix, anything-but, exists, equals-ignore-case, numeric, nested
 * keys, arrays in the event). The emulator delivers with the matcher, so tests prove that the
 * pattern `events setup` writes really matches an ECR push event.
 */
import { isRecord } from '../checks/record.js';

export interface EcrPushPatternInput {
  /** Repository names (without registry host), e.g. `team/api`. */
  readonly repositoryNames: readonly string[];
  /** Registry account ids; omitted from the pattern when empty. */
  readonly accounts?: readonly string[];
}

export type EventPattern = { readonly [key: string]: EventPattern | readonly unknown[] };

export function ecrPushPattern(input: EcrPushPatternInput): EventPattern {
  const names = [...new Set(input.repositoryNames)].sort();
  const accounts = [...new Set(input.accounts ?? [])].sort();
  return {
    source: ['aws.ecr'],
    'detail-type': ['ECR Image Action'],
    ...(accounts.length > 0 ? { account: accounts } : {}),
    detail: {
      'action-type': ['PUSH'],
      result: ['SUCCESS'],
      'repository-name': names,
    },
  };
}

/** Key order and the order of values inside a key's list do not change what a pattern means. */
export function canonicalPattern(pattern: unknown): string {
  return JSON.stringify(canonicalValue(pattern));
}

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonicalValue);
    return items.map((item) => JSON.stringify(item)).sort();
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, canonicalValue(item)]));
  }
  return value;
}

/** Throws a message naming the offending key when the pattern is not one the matcher knows. */
export function validatePattern(pattern: unknown, path = ''): void {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error(`pattern${path ? ` at ${path}` : ''} must be a JSON object`);
  }
  const entries = Object.entries(pattern);
  if (path === '' && entries.length === 0) throw new Error('pattern must not be empty');
  for (const [key, value] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`${here}: a value list must not be empty`);
      for (const item of value) validateMatcher(item, here);
      continue;
    }
    validatePattern(value, here);
  }
}

function validateMatcher(item: unknown, path: string): void {
  if (item === null || typeof item !== 'object') return;
  if (Array.isArray(item)) throw new Error(`${path}: nested lists are not allowed`);
  const keys = Object.keys(item);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined || !OPERATORS.has(operator)) {
    throw new Error(`${path}: unknown matcher ${JSON.stringify(item)}`);
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'anything-but', 'exists', 'equals-ignore-case', 'numeric']);

/** True when `event` (a parsed EventBridge envelope) matches `pattern`. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) return false;
  for (const [key, expected] of Object.entries(pattern)) {
    const actual = isRecord(event) ? event[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchesField(expected, actual)) return false;
      continue;
    }
    if (!isRecord(actual) || !matchesPattern(expected, actual)) return false;
  }
  return true;
}

function matchesField(matchers: readonly unknown[], actual: unknown): boolean {
  const values: unknown[] = Array.isArray(actual) ? actual : actual === undefined ? [] : [actual];
  for (const matcher of matchers) {
    if (isRecord(matcher) && 'exists' in matcher) {
      const present = values.length > 0 && !values.every(isRecord);
      if (present === (matcher['exists'] === true)) return true;
      continue;
    }
    if (isRecord(matcher) && 'anything-but' in matcher) {
      // Like every matcher, it needs a value: a missing field does not match.
      if (values.some((value) => matchesAnythingBut(matcher['anything-but'], value))) return true;
      continue;
    }
    if (values.some((value) => matchesOne(matcher, value))) return true;
  }
  return false;
}

function matchesOne(matcher: unknown, value: unknown): boolean {
  if (!isRecord(matcher)) return matcher === value;
  if ('prefix' in matcher)
    return typeof value === 'string' && matchString(matcher['prefix'], value, 'prefix');
  if ('suffix' in matcher)
    return typeof value === 'string' && matchString(matcher['suffix'], value, 'suffix');
  if ('equals-ignore-case' in matcher) {
    const wanted = matcher['equals-ignore-case'];
    return (
      typeof value === 'string' && typeof wanted === 'string' && value.toLowerCase() === wanted.toLowerCase()
    );
  }
  if ('numeric' in matcher) return typeof value === 'number' && matchesNumeric(matcher['numeric'], value);
  return false;
}

function matchString(spec: unknown, value: string, kind: 'prefix' | 'suffix'): boolean {
  if (typeof spec === 'string') return kind === 'prefix' ? value.startsWith(spec) : value.endsWith(spec);
  if (isRecord(spec) && typeof spec['equals-ignore-case'] === 'string') {
    const wanted = spec['equals-ignore-case'].toLowerCase();
    const lower = value.toLowerCase();
    return kind === 'prefix' ? lower.startsWith(wanted) : lower.endsWith(wanted);
  }
  return false;
}

function matchesAnythingBut(spec: unknown, value: unknown): boolean {
  if (Array.isArray(spec)) return !spec.includes(value);
  if (isRecord(spec)) {
    if ('prefix' in spec) return !(typeof value === 'string' && matchString(spec['prefix'], value, 'prefix'));
    if ('suffix' in spec) return !(typeof value === 'string' && matchString(spec['suffix'], value, 'suffix'));
    return true;
  }
  return spec !== value;
}

function matchesNumeric(spec: unknown, value: number): boolean {
  if (!Array.isArray(spec) || spec.length % 2 !== 0) return false;
  for (let index = 0; index < spec.length; index += 2) {
    const operator: unknown = spec[index];
    const bound: unknown = spec[index + 1];
    if (typeof bound !== 'number') return false;
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}
