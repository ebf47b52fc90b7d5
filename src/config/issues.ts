/**
 * A problem found before it has a position: a path into the config plus where on that node to
 * point. The loader turns these into ConfigIssues (file, line, column) with the YAML locator.
 */
import type { ConfigIssue } from '../errors.js';

export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where on a path's node to point: its key (unknown keys) or its value (wrong values). */
export type Anchor = 'key' | 'value';

export interface PathIssue {
  readonly path: readonly PathSegment[];
  /** Default `value`. */
  readonly at?: Anchor;
  /** The node to point at when it is not `path` itself (a missing key: its parent mapping). */
  readonly locate?: readonly PathSegment[];
  /** An exact byte offset in the text (syntax errors); wins over `path` for the position. */
  readonly offset?: number;
  readonly message: string;
  readonly hint?: string;
}

export interface Locator {
  position(path: readonly PathSegment[], anchor: Anchor): Position;
  positionAt(offset: number): Position;
}

/** `environments.prod.policies.api`, `environments.prod.paths.0`. */
export function dottedPath(path: readonly PathSegment[]): string {
  return path.map(String).join('.');
}

export function toConfigIssue(issue: PathIssue, locator: Locator, file: string): ConfigIssue {
  const { line, column } =
    issue.offset === undefined
      ? locator.position(issue.locate ?? issue.path, issue.at ?? 'value')
      : locator.positionAt(issue.offset);
  return {
    file,
    line,
    column,
    path: dottedPath(issue.path),
    message: issue.message,
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
  };
}

/** Document order, so the report reads top to bottom; the sort is stable for equal positions. */
export function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return a.line - b.line || a.column - b.column;
}
