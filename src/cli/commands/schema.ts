import type { CliIO, ExitCode } from '../io.js';
import { configJsonSchema } from '../../config/json-schema.js';

/** Prints the JSON Schema of drawbridge.yaml, for editors (`# yaml-language-server: $schema=…`). */
export async function schemaCommand(io: CliIO): Promise<ExitCode> {
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
