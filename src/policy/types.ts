import type { ImageCandidate, ScanFacts } from '../registry.js';

/** Why a tag was not chosen. The policy engine names one reason per rejected tag. */
export type RejectReason =
  | 'invalid-tag' // outside the OCI tag grammar: never chosen, whatever the policy
  | 'excluded-default' // cosign signature / attestation / SBOM
  | 'excluded' // matched an `exclude` regex (policy or image)
  | 'pattern' // did not match `pattern`
  | 'not-semver'
  | 'out-of-range'
  | 'prerelease' // prerelease while the range names none
  | 'not-numeric'
  | 'too-young' // minAge not reached
  | 'not-promoted' // never live in the promotion source
  | 'unhealthy' // promote.healthy: a named context reported failure for it in the source
  | 'awaiting-health' // promote.healthy: not every named context reported success yet
  | 'soaking' // live in the source, but not for `after` yet
  | 'reverted' // a person reverted the commit that brought it
  | 'severity' // scan findings above maxSeverity
  | 'unscanned' // maxSeverity set, scan missing/incomplete, unscanned: skip
  | 'duplicate' // same ordering key as a better-ranked tag (extract collision, 1.0.0 vs v1.0.0)
  | 'outranked'; // eligible, but a better one won

export interface Rejection {
  readonly tag: string;
  readonly digest: string;
  readonly reason: RejectReason;
  /** For people: "2h left of minAge 24h", "1 CRITICAL finding above HIGH", … */
  readonly detail: string;
}

/** A stretch of time during which a tag was the value in the promotion source environment. */
export interface LiveInterval {
  readonly since: Date;
  /** When it was replaced; absent while it is still live. */
  readonly until?: Date;
  /**
   * True when the tag was already live at the oldest commit read (history depth reached):
   * `since` is that commit's time, the tag may have been live for longer.
   */
  readonly truncated?: boolean;
  /** The source branch's commit that brought it (the oldest commit read, when truncated). */
  readonly commit?: string;
  /** While it is live: the source branch's head commit, which deploys it too. */
  readonly head?: string;
}

export interface SelectionContext {
  readonly now: Date;
  /** Tags a person reverted in this environment. */
  readonly revertedTags?: ReadonlySet<string>;
  /** Digests a person reverted in this environment. */
  readonly revertedDigests?: ReadonlySet<string>;
  /** Why a refused tag is refused when not by a revert: `pull request #12 closed without merging`. */
  readonly revertNotes?: ReadonlyMap<string, string>;
  /** For `promote`: tag → the intervals during which it was live in the source environment. */
  readonly liveIn?: ReadonlyMap<string, readonly LiveInterval[]>;
  /**
   * For `promote.healthy`: tag → what the source's commit statuses say (health.ts); a tag
   * without a verdict is not yet known to be healthy. With it, `liveIn` counts from health.
   */
  readonly health?: ReadonlyMap<string, HealthVerdict>;
}

/** What the named contexts reported for the source commit that brought a tag. */
export interface HealthVerdict {
  /** unchecked: not read, because a newer tag was healthy and soaked already. */
  readonly state: 'healthy' | 'failed' | 'waiting' | 'unchecked';
  /** The commit whose report decided (the one that brought the tag, or the head after it). */
  readonly commit?: string;
  /** The context that decided: the failing one, the first not reported, or the last to succeed. */
  readonly context?: string;
  readonly reported?: 'success' | 'failure' | 'pending' | 'missing';
  readonly at?: Date;
}

export interface Decision {
  readonly imageKey: string;
  /** Absent when no tag is eligible. */
  readonly chosen?: ImageCandidate;
  /** Eligible candidates, best first (before the scan gate). */
  readonly ranked: readonly ImageCandidate[];
  readonly rejected: readonly Rejection[];
  /** Why the choice, for people. */
  readonly summary: string;
}

/** Looks up scan findings for candidates that came without a summary (maxSeverity only). */
export type ScanLookup = (candidate: ImageCandidate) => Promise<ScanFacts>;
