/**
 * `drawbridge import flux [FILE…]` (SPEC §13): reads the other tool's objects and prints a
 * drawbridge.yaml on stdout, with a NOTE comment on everything that did not carry over; a
 * summary goes to stderr.
 */
import { importFlux } from '../../migrate/flux.js';
import { readObjects } from '../../migrate/objects.js';
import { renderConfig } from '../../migrate/render.js';
import type { CliIO, ExitCode } from '../io.js';

const IMPORTERS = { flux: importFlux } as const;

export async function importCommand(
  tool: keyof typeof IMPORTERS,
  files: readonly string[],
  io: CliIO,
): Promise<ExitCode> {
  const stdin = io.stdin;
  const objects = await readObjects(files, {
    cwd: io.cwd,
    ...(stdin ? { stdin: () => readAll(stdin) } : {}),
  });
  const config = IMPORTERS[tool](objects);
  const text = renderConfig(config);
  io.stdout.write(text);
  const notes = text.split('\n').filter((line) => line.trimStart().startsWith('# NOTE:')).length;
  io.stderr.write(
    `read ${objects.length} objects: ${config.images.length} images, ${config.environments.length} environments, ${notes} notes to read\n`,
  );
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
