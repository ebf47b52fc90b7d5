/**
 * The scan gate of `maxSeverity`: walks eligible candidates best first and stops at the first
 * whose scan passes. Facts come from the candidate, else from one lookup per image digest, so
 * a gated selection costs one lookup per image it rejects, not one per tag.
 */
import type { Policy, Severity } from '../config/schema.js';
import type { ImageCandidate, ScanFacts } from '../registry.js';
import type { ScanLookup } from './types.js';
import { messageOf } from '../errors.js';

export interface GateOutcome {
  readonly reason: 'severity' | 'unscanned';
  readonly detail: string;
}

export interface GateResult {
  /** Index of the chosen candidate, -1 when every walked candidate was rejected. */
  readonly chosen: number;
  /** Candidates the gate walked and rejected, by index. */
  readonly rejected: ReadonlyMap<number, GateOutcome>;
  readonly lookups: number;
}

/** Lowest to highest. UNDEFINED (no severity assigned) is not in the list and never blocks. */
const SEVERITY_ORDER: readonly Severity[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** ECR: COMPLETE for basic scanning, ACTIVE for enhanced (Inspector) scanning with findings. */
const COMPLETE_STATUSES: ReadonlySet<string> = new Set(['COMPLETE', 'ACTIVE']);

type Lookup = { readonly facts: ScanFacts } | { readonly error: string };

/** undefined when the scan passes the policy's maxSeverity and unscanned rule. */
export function judgeScan(
  lookup: Lookup,
  maxSeverity: Severity,
  unscanned: Policy['unscanned'],
): GateOutcome | undefined {
  if ('error' in lookup || !COMPLETE_STATUSES.has(lookup.facts.status)) {
    if (unscanned === 'allow') return undefined;
    const detail =
      'error' in lookup ? `scan lookup failed: ${lookup.error}` : `scan status ${lookup.facts.status}`;
    return { reason: 'unscanned', detail: `${detail} (unscanned: skip)` };
  }
  const above = SEVERITY_ORDER.slice(SEVERITY_ORDER.indexOf(maxSeverity) + 1)
    .reverse()
    .map((severity) => [severity, lookup.facts.counts[severity] ?? 0] as const)
    .filter(([, count]) => count > 0);
  if (above.length === 0) return undefined;
  const listed = above.map(([severity, count]) => `${count} ${severity}`).join(', ');
  return { reason: 'severity', detail: `${listed} above ${maxSeverity}` };
}

export async function runScanGate(input: {
  readonly candidates: readonly ImageCandidate[];
  /** Eligible indices, best first; only read as far as the walk goes. */
  readonly order: Iterable<number>;
  readonly policy: Policy;
  readonly scanLookup?: ScanLookup | undefined;
}): Promise<GateResult> {
  const { candidates, policy, scanLookup } = input;
  const rejected = new Map<number, GateOutcome>();
  const maxSeverity = policy.maxSeverity;
  const byDigest = new Map<string, Promise<Lookup>>();
  let lookups = 0;

  const factsOf = (candidate: ImageCandidate): Promise<Lookup> => {
    if (candidate.scan) return Promise.resolve({ facts: candidate.scan });
    if (!scanLookup) return Promise.resolve({ error: 'no scan summary and no lookup available' });
    let pending = byDigest.get(candidate.digest);
    if (!pending) {
      lookups += 1;
      pending = Promise.resolve(candidate)
        .then(scanLookup)
        .then(
          (facts) => ({ facts }),
          (error: unknown) => ({ error: messageOf(error) }),
        );
      byDigest.set(candidate.digest, pending);
    }
    return pending;
  };

  for (const index of input.order) {
    if (maxSeverity === undefined) return { chosen: index, rejected, lookups };
    const outcome = judgeScan(await factsOf(candidates[index]!), maxSeverity, policy.unscanned);
    if (!outcome) return { chosen: index, rejected, lookups };
    rejected.set(index, outcome);
  }
  return { chosen: -1, rejected, lookups };
}
