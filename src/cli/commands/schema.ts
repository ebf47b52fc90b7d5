import type { CliIO, ExitCode } from '../io.js';
import { configJsonSchema } from '../../config/json-schema.js';

export async function schemaCommand(io: CliIO): Promise<ExitCode> {
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
