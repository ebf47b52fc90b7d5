import type { CliIO, ExitCode } from '../io.js';
import { commandContext, commandRuntime, progressLine } from '../context.js';
import { renderJsonLines, renderStatus } from '../render.js';

/** `status` is a dry-run reconciliation rendered as a table: in Git now, eligible next, and why. */
export async function statusCommand(
  options: { config?: string; env?: string[]; json?: boolean; logLevel?: string },
  io: CliIO,
): Promise<ExitCode> {
  const context = await commandContext(options, io);
  const progress = progressLine(io);
  const runtime = await commandRuntime(context, io, { onProgress: progress, quiet: true });
  try {
    const result = await runtime.reconciler.reconcile({
      trigger: 'manual',
      ...(options.env ? { environments: options.env } : {}),
      dryRun: true,
    });
    progress.end();
    io.stdout.write(options.json ? renderJsonLines(result) : renderStatus(result, new Date()));
    return result.environments.some((env) => env.status === 'failed') || result.registryFailures.length > 0
      ? 1
      : 0;
  } finally {
    await runtime.close();
  }
}
