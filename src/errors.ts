/**
 * Few error classes, each full of context. The CLI maps them to exit codes:
 * ConfigError and UsageError → 2, everything else → 1. TransientError marks upstream
 * failures the daemon should simply retry on its next trigger.
 */
export interface ErrorContext {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly environment?: string;
  readonly image?: string;
  readonly branch?: string;
  readonly repository?: string;
  readonly [key: string]: unknown;
}

export class DrawbridgeError extends Error {
  readonly hint: string | undefined;
  readonly context: ErrorContext;

  constructor(message: string, options: { hint?: string; context?: ErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.context = options.context ?? {};
  }
}

/** A problem in the config file; `issues` holds every problem found, not just the first. */
export class ConfigError extends DrawbridgeError {
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    super(message, options);
    this.issues = issues;
  }
}

export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path of the offending node, e.g. `environments.prod.policies.api.semver`. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** Bad command-line usage (unknown environment named with --env, missing argument, …). */
export class UsageError extends DrawbridgeError {}

/** An upstream failure worth retrying later: throttling, 5xx, network, a push race lost too often. */
export class TransientError extends DrawbridgeError {}

/** ECR (or another registry) refused or failed for one repository. */
export class RegistryError extends DrawbridgeError {
  readonly code: string;
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { code: string; retryable: boolean; hint?: string; context?: ErrorContext; cause?: unknown },
  ) {
    super(message, options);
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

/** A git operation failed; the message says which and the hint what to check. */
export class GitError extends DrawbridgeError {}

/** A manifest could not be parsed or an edit could not be verified. */
export class ManifestError extends DrawbridgeError {}

export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof ConfigError || error instanceof UsageError ? 2 : 1;
}

export function formatError(error: unknown): string {
  if (error instanceof ConfigError) {
    const lines = error.issues.map((issue) => {
      const where = `${issue.file}:${issue.line}:${issue.column}`;
      return `  ${where}  ${issue.path ? `${issue.path}: ` : ''}${issue.message}${issue.hint ? `\n      hint: ${issue.hint}` : ''}`;
    });
    return [error.message, ...lines].join('\n');
  }
  if (error instanceof DrawbridgeError) {
    const where = Object.entries(error.context)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `${error.message}${where ? ` (${where})` : ''}${error.hint ? `\n  hint: ${error.hint}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}
