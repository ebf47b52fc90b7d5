/**
 * `drawbridge run`: the daemon. Builds the production pieces (src/runtime.ts), starts the
 * triggers and the HTTP server, reloads on SIGHUP or a changed config file, and on SIGTERM or
 * SIGINT finishes the reconciliation in flight, then exits 0.
 */
import { dirname } from 'node:path';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { checkDaemonConfig } from '../../daemon/config-checks.js';
import { startDaemon, type Daemon, type DaemonPieces } from '../../daemon/daemon.js';
import { Metrics } from '../../daemon/metrics.js';
import { exitCodeFor, formatError } from '../../errors.js';
import type { Redactor } from '../../log/redact.js';
import { createRuntime, type Runtime } from '../../runtime.js';
import { commandContext, commandRuntime } from '../context.js';
import type { CliIO, ExitCode } from '../io.js';

/** What run listens to for signals; `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export async function runCommand(
  options: { config?: string; logLevel?: string },
  io: CliIO,
  signals: SignalSource = process,
): Promise<ExitCode> {
  let runtime: Runtime;
  let context: Awaited<ReturnType<typeof commandContext>>;
  const metrics = new Metrics();
  const hooks = {
    observer: metrics.observer,
    onEcrCall: metrics.onEcrCall,
    onRegistryRequest: metrics.onRegistryRequest,
    onNotifyResult: metrics.onNotifyResult,
    onDeliveryResult: metrics.onDeliveryResult,
  };
  try {
    context = await commandContext(options, io, 'info');
    checkDaemonConfig(context.loaded.config, io.env, context.loaded.file);
    registerEventSecrets(context.loaded.config, io.env, context.redactor);
    runtime = await commandRuntime(context, io, hooks);
  } catch (error) {
    io.stderr.write(`error: ${formatError(error)}\n`);
    return exitCodeFor(error);
  }
  const { logger, redactor } = context;
  const file = context.loaded.file;

  const reload = async (): Promise<DaemonPieces> => {
    const loaded = await loadConfig({ path: file, env: io.env, cwd: io.cwd });
    checkDaemonConfig(loaded.config, io.env, file);
    registerEventSecrets(loaded.config, io.env, redactor);
    const next = await createRuntime({
      config: loaded.config,
      logger,
      env: io.env,
      baseDir: dirname(file),
      redactor,
      ...hooks,
    });
    // The daemon is quiet while it reloads, so the old workspace is no longer in use.
    const old = runtime;
    runtime = next;
    await old.close();
    return piecesOf(next);
  };

  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      ...piecesOf(runtime),
      configFile: file,
      logger,
      env: io.env,
      metrics,
      reload,
    });
  } catch (error) {
    await runtime.close();
    io.stderr.write(`error: ${formatError(error)}\n`);
    return exitCodeFor(error);
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onHup = (): void => void daemon.reload();
    const stopOn = (name: NodeJS.Signals) => (): void => {
      signals.off('SIGHUP', onHup);
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      resolve(name);
    };
    const onTerm = stopOn('SIGTERM');
    const onInt = stopOn('SIGINT');
    signals.on('SIGHUP', onHup);
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
  });
  // A second signal while stopping is logged, not fatal: the grace period bounds the wait.
  const again = (): void => logger.warn('already stopping; waiting for the reconciliation in flight');
  signals.on('SIGTERM', again);
  signals.on('SIGINT', again);
  try {
    await daemon.stop(signal);
    await runtime.close();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    return 1;
  } finally {
    signals.off('SIGTERM', again);
    signals.off('SIGINT', again);
  }
}

function piecesOf(runtime: Runtime): DaemonPieces {
  return {
    config: runtime.config,
    reconciler: runtime.reconciler,
    source: runtime.source,
    notifier: runtime.notifier,
    workspaces: runtime.workspaces,
  };
}

/** The events and statuses endpoints' secrets never reach a log line. */
function registerEventSecrets(config: Config, env: NodeJS.ProcessEnv, redactor: Redactor): void {
  for (const http of [config.events?.http, config.events?.statuses]) {
    if (!http) continue;
    if (http.tokenEnv) redactor.add(env[http.tokenEnv]);
    if (http.basicAuth) redactor.add(env[http.basicAuth.passwordEnv]);
  }
}
