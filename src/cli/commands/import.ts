/**
 * `drawbridge import flux|argocd-image-updater [FILE…]` (SPEC §13): reads the other tool's
 * objects and prints a drawbridge.yaml on stdout, with a NOTE comment on everything that did
 * not carry over; a summary goes to stderr. With `--write-markers REPO_DIR` (Argo CD Image
 * Updater, whose manifests carry no markers) the markers are added in that checkout first,
 * and what could not be marked becomes notes too.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { importArgoCd } from '../../migrate/argocd.js';
import { importFlux } from '../../migrate/flux.js';
import type { MarkerRequest } from '../../migrate/marker-requests.js';
import { readObjects, type KubeObject } from '../../migrate/objects.js';
import { renderConfig, type ImportedConfig } from '../../migrate/render.js';
import { writeMarkers } from '../../migrate/write-markers.js';
import type { CliIO, ExitCode } from '../io.js';

interface Imported {
  readonly config: ImportedConfig;
  /** Where markers belong; undefined when the tool's manifests carry them already. */
  readonly markers?: readonly MarkerRequest[];
}

const IMPORTERS: Readonly<Record<string, (objects: readonly KubeObject[]) => Imported>> = {
  flux: (objects) => ({ config: importFlux(objects) }),
  'argocd-image-updater': importArgoCd,
};

export type ImportTool = 'flux' | 'argocd-image-updater';

export interface ImportOptions {
  readonly writeMarkers?: string;
}

export async function importCommand(
  tool: ImportTool,
  files: readonly string[],
  io: CliIO,
  options: ImportOptions = {},
): Promise<ExitCode> {
  const importer = IMPORTERS[tool];
  if (!importer) throw new UsageError(`no importer for ${tool}`);
  const stdin = io.stdin;
  const objects = await readObjects(files, {
    cwd: io.cwd,
    ...(stdin ? { stdin: () => readAll(stdin) } : {}),
  });
  const imported = importer(objects);
  let config = imported.config;
  let markerLine = '';
  if (options.writeMarkers !== undefined) {
    if (imported.markers === undefined)
      throw new UsageError(`--write-markers is for tools whose manifests carry no markers; ${tool}'s do`);
    const report = await writeMarkers(resolve(io.cwd, options.writeMarkers), imported.markers);
    config = {
      ...config,
      environments: config.environments.map((environment) => ({
        ...environment,
        notes: [...environment.notes, ...(report.notes.get(environment.name) ?? [])],
      })),
    };
    markerLine = `; wrote ${report.written} markers in ${report.files.length} files (${report.present} there already)`;
  }
  const text = renderConfig(config);
  io.stdout.write(text);
  const notes = text.split('\n').filter((line) => line.trimStart().startsWith('# NOTE:')).length;
  io.stderr.write(
    `read ${objects.length} objects: ${config.images.length} images, ${config.environments.length} environments${markerLine}, ${notes} notes to read\n`,
  );
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
