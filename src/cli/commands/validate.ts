/**
 * `drawbridge validate`: load the config (every problem at once, exit 2), then the steps that
 * need more than the file, such as the markers in each environment's manifests.
 */
import { dirname, relative } from 'node:path';
import { ConfigError, formatConfigIssue, type ConfigIssue } from '../../errors.js';
import { loadConfig, type LoadedConfig } from '../../config/load.js';
import { countConfig, formatCounts, summarizeConfig } from '../../config/summary.js';
import type { FileProblem } from '../../manifest/types.js';
import { createLogger, type LogLevel } from '../../log/logger.js';
import { Redactor } from '../../log/redact.js';
import { checkEnvironmentMarkers } from '../../reconcile/marker-check.js';
import { createRuntime } from '../../runtime.js';
import type { CliIO, ExitCode } from '../io.js';

export interface ValidateOptions {
  readonly config?: string;
  /** False with --no-markers: the config file only, no Git access. */
  readonly markers: boolean;
  readonly logLevel?: string;
}

/** A problem found in an environment's manifests (a bad marker, one naming an unknown image, …). */
export interface MarkerProblem extends FileProblem {
  readonly environment: string;
}

export interface MarkerReport {
  readonly problems: readonly MarkerProblem[];
  /** One line for the summary, e.g. "12 markers in 9 files". */
  readonly summary?: string;
}

/** Checks the markers in every environment's files; may throw (GitError → exit 1). */
export type MarkerCheck = (loaded: LoadedConfig, io: CliIO) => Promise<MarkerReport>;

export interface ValidateSteps {
  /** Without it, validate checks the config file only, as with --no-markers. */
  readonly checkMarkers?: MarkerCheck;
}

export async function validateCommand(
  options: ValidateOptions,
  io: CliIO,
  steps: ValidateSteps = { checkMarkers: checkMarkersInGit },
): Promise<ExitCode> {
  const loaded = await loadOrReport(options, io);
  if (loaded === undefined) return 2;
  for (const warning of loaded.warnings ?? []) io.stderr.write(`warning:\n${format(warning, io)}\n`);

  let markerSummary: string | undefined;
  if (options.markers && steps.checkMarkers) {
    const report = await steps.checkMarkers(loaded, io);
    const errors = report.problems.filter((problem) => problem.severity === 'error');
    for (const problem of report.problems) io.stderr.write(`${formatMarkerProblem(problem)}\n`);
    if (errors.length > 0) {
      io.stderr.write(`${errors.length} marker problem${errors.length === 1 ? '' : 's'}\n`);
      return 2;
    }
    markerSummary = report.summary;
  }

  const { config } = loaded;
  io.stdout.write(`${shown(loaded.file, io)} is valid: ${formatCounts(countConfig(config))}\n`);
  for (const line of summarizeConfig(config)) io.stdout.write(`${line}\n`);
  if (markerSummary !== undefined) io.stdout.write(`markers: ${markerSummary}\n`);
  return 0;
}

/** The loaded config, or undefined after printing every problem. */
async function loadOrReport(options: ValidateOptions, io: CliIO): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig({
      ...(options.config === undefined ? {} : { path: options.config }),
      env: io.env,
      cwd: io.cwd,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const file = error.issues[0]?.file;
    const header = file === undefined ? error.message : error.message.replace(file, shown(file, io));
    io.stderr.write(`${[header, ...error.issues.map((issue) => format(issue, io))].join('\n')}\n`);
    return undefined;
  }
}

function format(issue: ConfigIssue, io: CliIO): string {
  return formatConfigIssue(issue, { cwd: io.cwd });
}

/** Marker files are relative to the repository root of the environment's branch. */
function formatMarkerProblem(problem: MarkerProblem): string {
  const where = [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(':');
  return `${problem.severity}: [${problem.environment}] ${where}  ${problem.message}`;
}

function shown(file: string, io: CliIO): string {
  const path = relative(io.cwd, file);
  return path === '' || path.startsWith('..') ? file : path;
}

/** The default marker step: check out every environment's branch and read its markers. */
async function checkMarkersInGit(
  loaded: LoadedConfig,
  io: CliIO,
  logLevel: LogLevel = 'warn',
): Promise<MarkerReport> {
  const redactor = new Redactor();
  const runtime = await createRuntime({
    config: loaded.config,
    logger: createLogger({ level: logLevel, destination: io.stderr, redactor }),
    env: io.env,
    baseDir: dirname(loaded.file),
    redactor,
    quiet: true,
  });
  try {
    return await checkEnvironmentMarkers(loaded.config, runtime.workspaces);
  } finally {
    await runtime.close();
  }
}
