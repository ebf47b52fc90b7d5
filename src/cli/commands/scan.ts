import type { CliIO, ExitCode } from '../io.js';
import type { ScanCliOptions } from '../program.js';
import { commandContext, commandRuntime, progressLine } from '../context.js';
import { renderJsonLines, renderScan } from '../render.js';

export async function scanCommand(options: ScanCliOptions, io: CliIO): Promise<ExitCode> {
  const context = await commandContext(options, io, options.json ? 'warn' : 'warn');
  const progress = progressLine(io);
  const runtime = await commandRuntime(context, io, { onProgress: progress, quiet: options.dryRun ?? false });
  try {
    const result = await runtime.reconciler.reconcile({
      trigger: 'manual',
      ...(options.env ? { environments: options.env } : {}),
      ...(options.image ? { images: options.image } : {}),
      dryRun: options.dryRun ?? false,
    });
    progress.end();
    io.stdout.write(
      options.json ? renderJsonLines(result) : renderScan(result, { explain: options.explain ?? false }),
    );
    const failed =
      result.environments.some((env) => env.status === 'failed') || result.registryFailures.length > 0;
    return failed ? 1 : 0;
  } finally {
    await runtime.close();
  }
}
