/** `drawbridge hold ENV IMAGE [--reason R]` and `drawbridge release ENV IMAGE`. */
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { repositoryNameOf, repositoryOf } from '../../config/repositories.js';
import { UsageError } from '../../errors.js';
import { writeHold, type HoldOutcome } from '../../git/hold.js';
import { HOLDS_FILE, type HoldEntry } from '../../git/holds.js';
import { openWorkspace } from '../../git/workspace.js';
import { workspaceOptions } from '../../git/workspaces.js';
import { createLogger, type LogLevel } from '../../log/logger.js';
import { printable } from '../../log/printable.js';
import { Redactor } from '../../log/redact.js';
import type { CliIO, ExitCode } from '../io.js';

export interface HoldOptions {
  readonly config?: string;
  readonly logLevel?: string;
  readonly env: string;
  readonly image: string;
  readonly hold: boolean;
  readonly reason?: string;
}

export async function holdCommand(options: HoldOptions, io: CliIO): Promise<ExitCode> {
  const { config, file } = await loadConfig({ path: options.config, env: io.env, cwd: io.cwd });
  const environment = config.environments[options.env];
  if (environment === undefined) {
    throw new UsageError(`unknown environment "${options.env}"`, {
      hint: `known environments: ${Object.keys(config.environments).join(', ') || '(none)'}`,
    });
  }
  const images = Object.keys(environment.policies);
  if (!images.includes(options.image)) {
    throw new UsageError(`environment "${options.env}" has no policy for image "${options.image}"`, {
      hint: `images of ${options.env}: ${images.join(', ') || '(none)'}`,
    });
  }

  // An empty --reason is no reason: it neither replaces a standing one nor is written.
  const reason = options.reason?.trim() ? options.reason : undefined;
  const redactor = new Redactor();
  const logger = createLogger({
    level: (options.logLevel ?? 'warn') as LogLevel,
    destination: io.stderr,
    redactor,
  });
  // The hold is a commit in the environment's own repository.
  const repository = repositoryOf(config, repositoryNameOf(environment));
  const workspace = await openWorkspace(
    workspaceOptions(repository, { baseDir: dirname(file), env: io.env, logger, redactor }),
  );
  try {
    const outcome = await writeHold(workspace, {
      environment: options.env,
      branch: environment.branch,
      image: options.image,
      hold: options.hold,
      ...(reason === undefined ? {} : { reason }),
      by: actor(io.env),
      at: new Date(),
      attempts: repository.pushAttempts,
      logger,
    });
    const what = `${options.image} in ${options.env}`;
    io.stdout.write(`${holdReport(what, environment.branch, options.hold, reason, outcome)}\n`);
    return 0;
  } finally {
    await workspace.close();
  }
}

/** What happened, in one line: held, reason changed (old → new), released, or why nothing was committed. */
function holdReport(
  what: string,
  branch: string,
  hold: boolean,
  reason: string | undefined,
  outcome: HoldOutcome,
): string {
  const { previous } = outcome;
  if (outcome.status === 'unchanged') {
    if (!hold || previous === undefined) return `${what} is not held; nothing to commit`;
    return `${what} is already held by ${standingHold(previous)}; nothing to commit`;
  }
  const commit = `commit ${outcome.commit?.slice(0, 12) ?? ''} on ${branch} (${HOLDS_FILE})`;
  if (!hold) return `released ${what}${previous ? ` (held by ${standingHold(previous)})` : ''}: ${commit}`;
  if (previous === undefined) return `held ${what}: ${commit}`;
  return `changed the hold on ${what}: reason ${quoted(previous.reason)} → ${quoted(reason)} (held by ${printable(previous.by)} since ${previous.at.toISOString()}): ${commit}`;
}

/** `alice since 2026-11-25T21:00:00.000Z: incident 4711`. The file is anyone's text: one escaped line. */
function standingHold(entry: HoldEntry): string {
  const why = entry.reason === undefined ? ' (no reason given)' : `: ${printable(entry.reason, REASON_MAX)}`;
  return `${printable(entry.by)} since ${entry.at.toISOString()}${why}`;
}

function quoted(reason: string | undefined): string {
  return reason === undefined ? '(none)' : `"${printable(reason, REASON_MAX)}"`;
}

const REASON_MAX = 500;

function actor(env: NodeJS.ProcessEnv): string {
  const explicit = env['DRAWBRIDGE_ACTOR'];
  if (explicit) return explicit;
  let user = env['USER'] ?? env['USERNAME'];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}
