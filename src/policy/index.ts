export { rankCandidates, selectTag, type SelectInput } from './select.js';
export { formatExplain, type ExplainOptions } from './explain.js';
export { compilePolicy, policyProblems, type CompiledPolicy, type PolicyProblem } from './compile.js';
export { isCosignArtefact } from './evaluate.js';
export { RULE_ORDER } from './reasons.js';
export { parseSemverTag, compareSemver, type SemverTag } from './semver-tag.js';
export { rangeNamesPrerelease } from './semver-range.js';
export type {
  Decision,
  LiveInterval,
  Rejection,
  RejectReason,
  ScanLookup,
  SelectionContext,
} from './types.js';
