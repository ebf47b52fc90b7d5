import { isAlias, isCollection, isMap, isPair, isScalar } from 'yaml';
import type { Document, Node, Pair } from 'yaml';

export interface Mismatch {
  /** String index in the new text of the node that differs (or 0). */
  readonly offset: number;
  readonly message: string;
}

/**
 * Checks that `after` reads exactly like `before` with the edited scalars replaced:
 * `intended` maps a scalar's start index in `before` to the string it must now hold.
 * Everything else (values, styles, tags, anchors, comments, structure) must be equal.
 * Every entry of `intended` must be met by a scalar, or the edit hit no value.
 */
export function compareDocuments(
  before: readonly Document.Parsed[],
  after: readonly Document.Parsed[],
  intended: ReadonlyMap<number, string>,
): Mismatch | undefined {
  if (before.length !== after.length) {
    return { offset: 0, message: `document count changed from ${before.length} to ${after.length}` };
  }
  const met = new Set<number>();
  for (const [index, document] of before.entries()) {
    const other = after[index]!;
    const head = sameComments(document, other, other.range[0]);
    if (head) return head;
    const mismatch = compareNodes(document.contents, other.contents, intended, met);
    if (mismatch) return mismatch;
  }
  for (const offset of intended.keys()) {
    if (!met.has(offset)) return { offset: 0, message: 'an edit does not start at a scalar value' };
  }
  return undefined;
}

function compareNodes(
  before: unknown,
  after: unknown,
  intended: ReadonlyMap<number, string>,
  met: Set<number>,
): Mismatch | undefined {
  const beforeMissing = before === null || before === undefined;
  const afterMissing = after === null || after === undefined;
  if (beforeMissing || afterMissing) {
    return beforeMissing && afterMissing ? undefined : { offset: 0, message: 'a node appeared or disappeared' };
  }
  if (isPair(before) && isPair(after)) return comparePairs(before, after, intended, met);
  const node = before as Node;
  const other = after as Node;
  const offset = other.range?.[0] ?? 0;
  if (node.constructor !== other.constructor) return { offset, message: 'a node changed its kind' };
  if (node.tag !== other.tag || node.anchor !== other.anchor) {
    return { offset, message: 'a tag or anchor changed' };
  }
  const comments = sameComments(node, other, offset);
  if (comments) return comments;
  if (isScalar(node) && isScalar(other)) {
    const wanted = node.range ? intended.get(node.range[0]) : undefined;
    if (wanted !== undefined) {
      met.add(node.range![0]);
      return other.value === wanted ? undefined : { offset, message: `edited value reads back as ${String(other.value)}` };
    }
    if (node.type !== other.type || !sameValue(node.value, other.value)) {
      return { offset, message: 'a value that was not edited changed' };
    }
    return undefined;
  }
  if (isAlias(node) && isAlias(other)) {
    return node.source === other.source ? undefined : { offset, message: 'an alias changed' };
  }
  if (isCollection(node) && isCollection(other)) {
    if (node.items.length !== other.items.length || node.flow !== other.flow || isMap(node) !== isMap(other)) {
      return { offset, message: 'a collection changed its shape' };
    }
    for (const [index, item] of node.items.entries()) {
      const mismatch = compareNodes(item, other.items[index], intended, met);
      if (mismatch) return mismatch;
    }
    return undefined;
  }
  return { offset, message: 'a node changed its kind' };
}

function comparePairs(
  before: Pair,
  after: Pair,
  intended: ReadonlyMap<number, string>,
  met: Set<number>,
): Mismatch | undefined {
  return (
    compareNodes(before.key, after.key, intended, met) ?? compareNodes(before.value, after.value, intended, met)
  );
}

function sameComments(
  before: { comment?: string | null; commentBefore?: string | null },
  after: { comment?: string | null; commentBefore?: string | null },
  offset: number,
): Mismatch | undefined {
  if ((before.comment ?? null) === (after.comment ?? null) && (before.commentBefore ?? null) === (after.commentBefore ?? null)) {
    return undefined;
  }
  return { offset, message: 'a comment changed' };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(b);
  return false;
}
