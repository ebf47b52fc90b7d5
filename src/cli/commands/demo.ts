import { runTour } from '../../demo/tour.js';
import type { CliIO, ExitCode } from '../io.js';

export async function demoCommand(
  options: { keepRunning?: boolean; dir?: string },
  io: CliIO,
): Promise<ExitCode> {
  await runTour({
    ...(options.dir ? { dir: options.dir } : {}),
    keepRunning: options.keepRunning ?? false,
    out: io.stdout,
    logs: io.stderr,
    env: io.env,
    untilStopped: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
  });
  return 0;
}
