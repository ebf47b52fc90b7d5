export { applyFileEdits } from './apply-file.js';
export { splice } from './splice.js';
export type { FileApplyResult } from './apply-file.js';
export { applyPlan } from './apply-plan.js';
export { valueForField } from './field-value.js';
export { parseMarkerComment, parseMarkerValue, splitImageReference } from './marker-ref.js';
export type { ImageReference } from './marker-ref.js';
export { findFileMarkers, planFileEdits } from './plan-file.js';
export type { FilePlan } from './plan-file.js';
export { DEFAULT_MAX_FILE_BYTES } from './read-manifest.js';
export { isPlainSafe, renderScalar } from './render-scalar.js';
export { findMarkers, planEdits } from './scan.js';
export { createManifestWorkers, defaultThreadCount } from './workers.js';
export type { ManifestWorkers, ManifestWorkersOptions } from './workers.js';
export type {
  ApplyOutcome,
  DesiredImage,
  Edit,
  FileProblem,
  ManifestLimits,
  ManifestPlan,
  Marker,
  MarkerField,
  MarkerRef,
  PlannedEdit,
  ScanInput,
} from './types.js';
