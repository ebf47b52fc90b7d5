/**
 * Finds and loads drawbridge.yaml: --config, else $DRAWBRIDGE_CONFIG, else ./drawbridge.yaml.
 * Parse (YAML with positions) → schema → cross-field rules; every problem is reported at once.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadOptions {
  /** From --config. */
  readonly path?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Absolute path of the file read. */
  readonly file: string;
}

export function configPath(options: LoadOptions): string {
  return resolve(options.cwd, options.path ?? options.env['DRAWBRIDGE_CONFIG'] ?? 'drawbridge.yaml');
}

export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const file = configPath(options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}`, [
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: (error as Error).message,
        hint: 'pass --config FILE or set DRAWBRIDGE_CONFIG',
      },
    ]);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): LoadedConfig {
  const doc = parseDocument(text);
  const result = configSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new ConfigError(
      `${file} is not a valid drawbridge config`,
      result.error.issues.map((issue) => ({
        file,
        line: 1,
        column: 1,
        path: issue.path.join('.'),
        message: issue.message,
      })),
    );
  }
  return { config: result.data, file };
}
