import type { CliIO, ExitCode } from '../io.js';

// Placeholder while the command is being built in this session.
export async function validateCommand(_options: unknown, io: CliIO): Promise<ExitCode> {
  io.stderr.write('drawbridge: not available yet\n');
  return 1;
}
