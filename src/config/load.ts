/**
 * Finds and loads drawbridge.yaml: --config, else $DRAWBRIDGE_CONFIG, else ./drawbridge.yaml.
 * Parse (YAML with positions) → schema → cross-field rules; every problem is reported at once.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { byPosition, toConfigIssue, type PathIssue } from './issues.js';
import { checkRules } from './rules.js';
import { configSchema, type Config } from './schema.js';
import { readYaml } from './yaml-source.js';
import { fromZodIssues } from './zod-issues.js';

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
  /** Problems that do not stop drawbridge (an image no environment uses, …), in file order. */
  readonly warnings?: readonly ConfigIssue[];
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
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'this is a folder, not a file'
          : (error as Error).message;
    throw new ConfigError(
      `cannot read config file ${file}`,
      [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message,
          hint: 'pass --config FILE or set DRAWBRIDGE_CONFIG; the default is ./drawbridge.yaml',
        },
      ],
      { cause: error },
    );
  }
  return parseConfig(text, file);
}

/** Validates the text of a config; `file` is used in the issues only. Throws ConfigError. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const source = readYaml(text);
  const errors: PathIssue[] = [...source.errors];
  const warnings: PathIssue[] = [...source.warnings];
  let config: Config | undefined;
  if (!source.fatal) {
    const result = configSchema.safeParse(source.value, { reportInput: true });
    if (result.success) config = result.data;
    else errors.push(...fromZodIssues(result.error.issues, source.value, configSchema));
    const rules = checkRules(source.value);
    errors.push(...rules.errors);
    warnings.push(...rules.warnings);
  }
  const position = (issues: readonly PathIssue[]): ConfigIssue[] =>
    unique(issues.map((issue) => toConfigIssue(issue, source, file))).sort(byPosition);
  if (errors.length > 0 || config === undefined) {
    const issues = position(errors);
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    throw new ConfigError(`${file} is not a valid drawbridge config (${count})`, issues);
  }
  return { config, file, warnings: position(warnings) };
}

function unique(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
