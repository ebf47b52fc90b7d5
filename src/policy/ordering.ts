/**
 * An ordering turns a tag (or its extracted text) into a key and ranks keys. One
 * implementation per policy kind lives in orderings/; `createOrdering` picks it by name.
 */
import type { Policy } from '../config/schema.js';
import type { ImageCandidate } from '../registry.js';
import { alphabeticalOrdering } from './orderings/alphabetical.js';
import { newestOrdering } from './orderings/newest.js';
import { numericalOrdering } from './orderings/numerical.js';
import { promoteOrdering } from './orderings/promote.js';
import { semverOrdering } from './orderings/semver.js';
import type { RejectReason, SelectionContext } from './types.js';

export type OrderingKind = 'semver' | 'numerical' | 'alphabetical' | 'newest' | 'promote';

export interface Ordering<K> {
  readonly kind: OrderingKind;
  /** What the key is called in details: "same version as 1.0.0". */
  readonly noun: string;
  /** The reason for a tag without a key (orderings whose every text has a key name any). */
  readonly unparsed: RejectReason;
  /**
   * The key, or undefined when the text has none (not semver, not a number, never live).
   * With `into` (an object from `blank`), fills and returns it instead of allocating.
   */
  parse(text: string, candidate: ImageCandidate, into?: K): K | undefined;
  /** A reusable parse target, for orderings whose keys are objects. */
  blank?(): K;
  /** The ordering's own filter on a key (semver range, promotion soak time). */
  admit(key: K, candidate: ImageCandidate): RejectReason | undefined;
  /** Positive when `a` ranks higher; direction already applied. */
  compare(a: K, b: K): number;
  /** Renders a key for details. */
  show(key: K): string;
  /** "highest of 14 versions in ^6.0.0" for `count` candidates in scope. */
  describe(count: number): string;
}

/** Which ordering a policy names; undefined when it names none or more than one. */
export function orderingKindOf(policy: Policy): OrderingKind | undefined {
  const named: OrderingKind[] = [];
  if (policy.semver !== undefined) named.push('semver');
  if (policy.order !== undefined) named.push(policy.order);
  if (policy.newest !== undefined) named.push('newest');
  if (policy.promote !== undefined) named.push('promote');
  return named.length === 1 ? named[0] : undefined;
}

const FACTORIES: Readonly<
  Record<OrderingKind, (policy: Policy, context: SelectionContext) => Ordering<unknown> | undefined>
> = {
  semver: (policy) => (policy.semver === undefined ? undefined : semverOrdering(policy.semver)),
  numerical: (policy) => numericalOrdering(policy.direction ?? 'asc'),
  alphabetical: (policy) => alphabeticalOrdering(policy.direction ?? 'asc'),
  newest: () => newestOrdering(),
  promote: (policy, context) =>
    policy.promote === undefined ? undefined : promoteOrdering(policy.promote, context),
};

/** Throws TypeError for a policy without exactly one ordering or with an invalid range. */
export function createOrdering(policy: Policy, context: SelectionContext): Ordering<unknown> {
  const kind = orderingKindOf(policy);
  const ordering = kind === undefined ? undefined : FACTORIES[kind](policy, context);
  if (!ordering) throw new TypeError('a policy names exactly one of semver, order, newest or promote');
  return ordering;
}
