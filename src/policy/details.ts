/** The `detail` text of rule rejections, built only when a rejection list is materialized. */
import { tagProblem } from '../checks/grammar.js';
import type { TagRegex } from '../checks/regex.js';
import type { ImageCandidate } from '../registry.js';
import type { CompiledPolicy } from './compile.js';
import { orderingText } from './evaluate.js';
import { humanDuration } from './human-duration.js';
import { soakState } from './orderings/promote.js';
import type { RejectReason, SelectionContext } from './types.js';

const ARTEFACT_KINDS: Readonly<Record<string, string>> = {
  sig: 'cosign signature',
  att: 'cosign attestation',
  sbom: 'SBOM',
};

function regexText(regex: TagRegex): string {
  return `/${regex.source}/`;
}

function subject(compiled: CompiledPolicy, tag: string): string {
  return compiled.extract ? `extracted ${JSON.stringify(orderingText(compiled, tag))}` : JSON.stringify(tag);
}

function soakDetail(compiled: CompiledPolicy, candidate: ImageCandidate, context: SelectionContext): string {
  const promote = compiled.policy.promote;
  if (!promote) return 'not live long enough in the source environment';
  const intervals = context.liveIn?.get(candidate.tag) ?? [];
  const state = soakState(intervals, context.now.getTime(), promote.after);
  const after = humanDuration(promote.after);
  if (state.readyInMs !== undefined) {
    return `live in ${promote.from} for ${humanDuration(state.longestMs)} of ${after}; ready in ${humanDuration(state.readyInMs)}`;
  }
  return `was live in ${promote.from} for at most ${humanDuration(state.longestMs)}, replaced before ${after}`;
}

export function ruleDetail(
  reason: RejectReason,
  candidate: ImageCandidate,
  compiled: CompiledPolicy,
  context: SelectionContext,
): string {
  const { policy } = compiled;
  switch (reason) {
    case 'invalid-tag':
      return `${tagProblem(candidate.tag) ?? 'not a valid tag'}; never chosen`;
    case 'excluded-default': {
      const kind = ARTEFACT_KINDS[candidate.tag.slice(candidate.tag.lastIndexOf('.') + 1)] ?? 'artefact';
      return `${kind}, excluded by default`;
    }
    case 'excluded': {
      const hit = compiled.excludes.find((exclude) => exclude.regex.test(candidate.tag));
      if (!hit) return 'matches an exclude regex';
      const owner = hit.from === 'policy' ? 'the policy' : `image ${compiled.imageKey}`;
      return `matches exclude ${regexText(hit.regex)} of ${owner}`;
    }
    case 'pattern':
      return compiled.pattern
        ? `does not match pattern ${regexText(compiled.pattern)}`
        : 'does not match pattern';
    case 'not-semver':
      return `${subject(compiled, candidate.tag)} is not X.Y.Z[-pre][+build] (v prefix allowed)`;
    case 'not-numeric':
      return `${subject(compiled, candidate.tag)} is not a number`;
    case 'not-promoted':
      return `never live in ${policy.promote?.from ?? 'the source environment'}`;
    case 'out-of-range':
      return `outside ${policy.semver ?? 'the range'}`;
    case 'prerelease':
      return `prerelease, and ${policy.semver ?? 'the range'} names none (a range such as >=1.0.0-0 admits them)`;
    case 'unhealthy':
    case 'awaiting-health':
      return healthDetail(compiled, candidate, context);
    case 'soaking':
      return soakDetail(compiled, candidate, context);
    case 'reverted': {
      const note = context.revertNotes?.get(candidate.tag);
      if (note !== undefined) return `refused: ${note}`;
      return context.revertedTags?.has(candidate.tag)
        ? 'reverted in this environment'
        : `image ${candidate.digest.slice(0, 19)}… reverted in this environment`;
    }
    case 'too-young': {
      const age = context.now.getTime() - candidate.pushedAt.getTime();
      const left = compiled.minAgeMs - Math.max(0, age);
      const pushed = age >= 0 ? `pushed ${humanDuration(age)} ago` : 'pushed in the future';
      return `${pushed}; ${humanDuration(left)} left of minAge ${humanDuration(compiled.minAgeMs)}`;
    }
    case 'severity':
    case 'unscanned':
    case 'duplicate':
    case 'outranked':
      return reason;
  }
}

/** `kustomization/apps reported failure for 1a2b3c4d5e6f in staging at 2026-…`. */
export function healthDetail(
  compiled: CompiledPolicy,
  candidate: ImageCandidate,
  context: SelectionContext,
): string {
  const from = compiled.policy.promote?.from ?? 'the source environment';
  const verdict = context.health?.get(candidate.tag);
  if (verdict === undefined || verdict.state === 'unchecked')
    return `health in ${from} not read: a newer tag is healthy there`;
  const commit = verdict.commit === undefined ? '' : ` for ${verdict.commit.slice(0, 12)}`;
  const when = verdict.at === undefined ? '' : ` at ${verdict.at.toISOString()}`;
  const what = verdict.context ?? 'a context';
  if (verdict.reported === 'missing' || verdict.reported === undefined)
    return `waiting for ${what} to report${commit} in ${from}`;
  return `${what} reported ${verdict.reported}${commit} in ${from}${when}`;
}
