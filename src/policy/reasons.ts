import type { RejectReason } from './types.js';

/**
 * The fixed rule order. A rejected tag carries the first rule in this list that rejects it;
 * the codes used internally are the position in this list plus one (0 means eligible).
 */
export const RULE_ORDER = [
  'invalid-tag',
  'excluded-default',
  'excluded',
  'pattern',
  'not-semver',
  'not-numeric',
  'not-promoted',
  'out-of-range',
  'prerelease',
  'unhealthy',
  'awaiting-health',
  'soaking',
  'reverted',
  'too-young',
  'severity',
  'unscanned',
  'duplicate',
  'outranked',
] as const satisfies readonly RejectReason[];

// Compile-time check that RULE_ORDER names every RejectReason.
const _everyReasonOrdered: Exclude<RejectReason, (typeof RULE_ORDER)[number]> extends never ? true : never =
  true;

export const ELIGIBLE = 0;

/**
 * Rules that reject a tag the ordering already accepted (health, soak, reverts, age, scans):
 * their counts explain a choice, and their rejections are what holds an update back.
 */
export const LATE_RULES: readonly RejectReason[] = [
  'unhealthy',
  'awaiting-health',
  'soaking',
  'reverted',
  'too-young',
  'severity',
  'unscanned',
];

export function codeOf(reason: RejectReason): number {
  return RULE_ORDER.indexOf(reason) + 1;
}

export function reasonOf(code: number): RejectReason {
  const reason = RULE_ORDER[code - 1];
  if (reason === undefined) throw new RangeError(`no rejection reason has code ${code}`);
  return reason;
}

/** Short plural labels for the one-line summary: "3 too young, 1 reverted". */
export const REASON_LABELS: Readonly<Record<RejectReason, string>> = {
  'invalid-tag': 'invalid tags',
  'excluded-default': 'cosign artefacts',
  excluded: 'excluded',
  pattern: 'not matching pattern',
  'not-semver': 'not semver',
  'not-numeric': 'not numeric',
  'not-promoted': 'never promoted',
  'out-of-range': 'out of range',
  prerelease: 'prereleases',
  unhealthy: 'unhealthy in the source',
  'awaiting-health': 'awaiting health',
  soaking: 'soaking',
  reverted: 'reverted',
  'too-young': 'too young',
  severity: 'above maxSeverity',
  unscanned: 'unscanned',
  duplicate: 'duplicates',
  outranked: 'outranked',
};
