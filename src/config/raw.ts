/** Reading the YAML data before (or despite) the schema: nothing here may assume a shape. */
import type { PathSegment } from './issues.js';

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let current = input;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isMapping(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

/** The entries of a mapping, or none when it is not one. */
export function entriesOf(value: unknown): [string, unknown][] {
  return isMapping(value) ? Object.entries(value) : [];
}

export function stringAt(input: unknown, path: readonly PathSegment[]): string | undefined {
  const value = valueAt(input, path);
  return typeof value === 'string' ? value : undefined;
}
