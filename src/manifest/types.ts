import type { ManifestWorkers } from './workers.js';

/** The part of an image reference a marker asks for. `image` is the whole `name:tag[@digest]`. */
export type MarkerField = 'image' | 'tag' | 'name' | 'digest';

export interface MarkerRef {
  readonly imageKey: string;
  readonly field: MarkerField;
  /** As written, e.g. `flux-system`; ignored for resolution. */
  readonly namespace?: string;
}

/** A marked scalar found in a manifest. Positions are 1-based; offsets are byte offsets. */
export interface Marker extends MarkerRef {
  /** Path relative to the repository root, POSIX separators. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The scalar's current value (parsed, unquoted). */
  readonly value: string;
  /** Owning document's `kind` and `metadata.name`, when it has them. */
  readonly documentKind?: string;
  readonly documentName?: string;
}

/** What an image should become in an environment. */
export interface DesiredImage {
  readonly imageKey: string;
  /** The repository URI from the config; written for `name` and `image` fields. */
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  /** Policy `digest: true`: the `image` field gets `name:tag@digest`. */
  readonly pinDigest: boolean;
}

export interface Edit {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Current and new value as YAML reads them. */
  readonly old: string;
  readonly new: string;
  readonly imageKey: string;
  readonly field: MarkerField;
  readonly documentKind?: string;
  readonly documentName?: string;
}

/** What kind of problem, for callers that treat some more strictly (validate). */
export type FileProblemCode =
  | 'unknown-image' // a marker names an image that is not under `images:`
  | 'bad-marker' // a comment mentions $imagepolicy but is not a valid marker
  | 'unparseable' // the file is not valid YAML
  | 'verify-failed' // an edit could not be confirmed by re-parsing; the file was left alone
  | 'skipped'; // too large, binary, symlink outside the repository, missing path

export interface FileProblem {
  readonly code?: FileProblemCode;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Bounds on what the scanner reads. */
export interface ManifestLimits {
  /** Files larger than this are skipped with a warning. Default 5 MiB. */
  readonly maxFileBytes?: number;
}

export interface ScanInput {
  /** Repository worktree root (absolute). */
  readonly root: string;
  /** Environment paths relative to root; default the whole tree. */
  readonly paths?: readonly string[];
  /** Image keys from the config; a marker naming another key is a warning. */
  readonly knownImages: ReadonlySet<string>;
  readonly limits?: ManifestLimits;
  /**
   * The files under `paths` that contain `$imagepolicy`, relative to root, when the caller
   * already knows them (`git grep` on the checked-out commit). Only these are read, and the
   * tree is not walked. Leave it out when the tree has symlinks: the walk follows them.
   */
  readonly markedFiles?: readonly string[];
  /** Worker threads to read and parse on (createManifestWorkers); small scans stay on this thread. */
  readonly workers?: ManifestWorkers;
}

/** An edit with the raw bytes to splice: `[start, end)` are byte offsets into the original file. */
export interface PlannedEdit extends Edit {
  readonly start: number;
  readonly end: number;
  /** The scalar's new source text, quoted as needed. */
  readonly replacement: string;
}

export interface ManifestPlan {
  /** Every marker found, with current values. */
  readonly markers: readonly Marker[];
  /** Only where the value changes. */
  readonly edits: readonly PlannedEdit[];
  /** Unparseable files (error), unknown images and bad markers (warning). */
  readonly problems: readonly FileProblem[];
  readonly filesScanned: number;
  /**
   * For each file with edits, a digest of its tokens as planned (it parsed without errors)
   * with the edited scalars masked. When the edited file's tokens give the same digest,
   * applying confirms the edit without composing the file again. Optional: without it (or
   * when the edits differ from the planned ones) every file is re-parsed in full.
   */
  readonly fingerprints?: ReadonlyMap<string, string>;
}

export interface ApplyOutcome {
  readonly changedFiles: readonly string[];
  readonly applied: readonly PlannedEdit[];
  readonly problems: readonly FileProblem[];
}
