import { isAbsolute, relative } from 'node:path';

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

/**
 * A forge (GitHub, GitLab, CodeCommit) refused or failed a call. `status` is the HTTP status
 * when there was one; `retryable` marks rate limits, 5xx and network failures.
 */
export class ForgeError extends DrawbridgeError {
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { status?: number; retryable: boolean; hint?: string; context?: ErrorContext; cause?: unknown },
  ) {
    super(message, options);
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

/** AWS error names that mean "slow down": retried on the next pass. */
export const AWS_THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Node's error codes for a connection that failed on the way: retried on the next pass. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/** A git operation failed; the message says which and the hint what to check. */
export class GitError extends DrawbridgeError {}

/** A manifest could not be parsed or an edit could not be verified. */
export class ManifestError extends DrawbridgeError {}

export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof ConfigError || error instanceof UsageError ? 2 : 1;
}

export interface FormatOptions {
  /** Show files relative to this folder when they are inside it. */
  readonly cwd?: string;
}

/** `file:line:column  path: message` and, indented below, the hint. */
export function formatConfigIssue(issue: ConfigIssue, options: FormatOptions = {}): string {
  const where = `${displayPath(issue.file, options.cwd)}:${issue.line}:${issue.column}`;
  const hint = issue.hint ? `\n      hint: ${issue.hint}` : '';
  return `  ${where}  ${issue.path ? `${issue.path}: ` : ''}${issue.message}${hint}`;
}

function displayPath(file: string, cwd: string | undefined): string {
  if (cwd === undefined) return file;
  const shown = relative(cwd, file);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

export function formatError(error: unknown, options: FormatOptions = {}): string {
  if (error instanceof ConfigError) {
    const lines = error.issues.map((issue) => formatConfigIssue(issue, options));
    return [error.message, ...lines].join('\n');
  }
  if (error instanceof DrawbridgeError) {
    const where = Object.entries(error.context)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    return `${error.message}${where ? ` (${where})` : ''}${error.hint ? `\n  hint: ${error.hint}` : ''}`;
  }
  return messageOf(error);
}

/** An error's message, or the thrown value as text when it is not an Error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
