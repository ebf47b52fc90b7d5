/** What every Git-touching command does first: load the config, make a logger, build the runtime. */
import { dirname } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { withoutExpectedStacks } from '../log/expected-errors.js';
import { Redactor } from '../log/redact.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import type { CliIO } from './io.js';

export interface CommandContext {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly redactor: Redactor;
}

export async function commandContext(
  options: { config?: string; logLevel?: string },
  io: CliIO,
  defaultLevel: LogLevel = 'warn',
): Promise<CommandContext> {
  const loaded = await loadConfig({
    ...(options.config ? { path: options.config } : {}),
    env: io.env,
    cwd: io.cwd,
  });
  const redactor = new Redactor();
  // Every command: a registry failure's line says what to fix, without drawbridge's call path.
  const logger = withoutExpectedStacks(
    createLogger({
      level: (options.logLevel ?? io.env['DRAWBRIDGE_LOG_LEVEL'] ?? defaultLevel) as LogLevel,
      destination: io.stderr,
      redactor,
    }),
  );
  return { loaded, logger, redactor };
}

export async function commandRuntime(
  context: CommandContext,
  io: CliIO,
  extra: Partial<
    Pick<
      RuntimeOptions,
      | 'onProgress'
      | 'quiet'
      | 'observer'
      | 'onEcrCall'
      | 'onRegistryRequest'
      | 'onNotifyResult'
      | 'onDeliveryResult'
    >
  > = {},
): Promise<Runtime> {
  return createRuntime({
    config: context.loaded.config,
    logger: context.logger,
    env: io.env,
    baseDir: dirname(context.loaded.file),
    redactor: context.redactor,
    ...extra,
  });
}

/** A one-line progress indicator on a TTY (image repositories read, Git repositories fetched); nothing otherwise. */
export function progressLine(
  io: CliIO,
): ((event: { phase?: 'registry' | 'git'; done: number; total: number }) => void) & { end(): void } {
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  const state = new Map<'registry' | 'git', { done: number; total: number }>();
  const update = (event: { phase?: 'registry' | 'git'; done: number; total: number }): void => {
    state.set(event.phase ?? 'registry', { done: event.done, total: event.total });
    const parts: string[] = [];
    const registry = state.get('registry');
    const git = state.get('git');
    if (registry && registry.total > 1)
      parts.push(`reading image repositories ${registry.done}/${registry.total}`);
    if (git && git.total > 1) parts.push(`fetching Git repositories ${git.done}/${git.total}`);
    if (!tty || parts.length === 0) return;
    shown = true;
    io.stderr.write(`\r\x1b[2K${parts.join(' · ')}`);
  };
  return Object.assign(update, {
    end() {
      if (shown) io.stderr.write('\r\x1b[2K');
    },
  });
}
