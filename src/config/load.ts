/**
 * Finds and loads drawbridge.yaml: --config, else $DRAWBRIDGE_CONFIG, else ./drawbridge.yaml.
 * Parse (YAML with positions) → schema → cross-field rules; every problem is reported at once.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Alias } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { byPosition, dottedPath, toConfigIssue, type PathIssue, type PathSegment } from './issues.js';
import { remoteUrlIssues } from './repositories.js';
import { checkRules } from './rules.js';
import { configSchema, type Config } from './schema.js';
import { MAX_ALIAS_NODES, readYaml, type YamlSource } from './yaml-source.js';
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
  const source = readSource(text, file);
  const errors: PathIssue[] = [...source.errors];
  const warnings: PathIssue[] = [...source.warnings];
  let config: Config | undefined;
  if (!source.fatal) {
    const result = configSchema.safeParse(source.value, { reportInput: true });
    if (result.success) config = result.data;
    else errors.push(...fromZodIssues(result.error.issues, source.value, configSchema));
    const rules = checkRules(source.value);
    errors.push(...rules.errors, ...remoteUrlIssues(source.value));
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

/** readYaml, with yaml's alias-expansion refusal turned into a ConfigError with a position. */
function readSource(text: string, file: string): YamlSource {
  try {
    return readYaml(text);
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/excessive alias count/i.test(error.message)) throw error;
    const { line, column, path } = aliasBombPosition(text);
    throw new ConfigError(
      `${file} is not a valid drawbridge config (1 problem)`,
      [
        {
          file,
          line,
          column,
          path: dottedPath(path),
          message: `aliases expand to more than ${MAX_ALIAS_NODES} nodes`,
          hint: 'write the values out instead of nesting anchors and aliases',
        },
      ],
      { cause: error },
    );
  }
}

/**
 * Where yaml gave up expanding aliases: builds the value again, noting the alias whose
 * expansion yaml refused (else the document start).
 */
function aliasBombPosition(text: string): { line: number; column: number; path: PathSegment[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const aliases: { node: Alias; path: PathSegment[] }[] = [];
  const collect = (node: unknown, path: PathSegment[]): void => {
    if (isAlias(node)) aliases.push({ node, path });
    else if (isMap(node)) {
      for (const pair of node.items)
        if (isScalar(pair.key)) collect(pair.value, [...path, String(pair.key.value)]);
    } else if (isSeq(node)) node.items.forEach((item, index) => collect(item, [...path, index]));
  };
  collect(doc.contents, []);
  let culprit: { node: Alias; path: PathSegment[] } | undefined;
  for (const alias of aliases) {
    const resolveAlias = alias.node.resolve.bind(alias.node);
    alias.node.resolve = (...args) => {
      try {
        return resolveAlias(...args);
      } catch (error) {
        // The innermost alias throws first; the ones around it only pass the error on.
        culprit ??= alias;
        throw error;
      }
    };
  }
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_NODES });
  } catch {
    // Expected: this run is only for `culprit`.
  }
  const offset = culprit?.node.range?.[0];
  if (culprit === undefined || offset === undefined) return { line: 1, column: 1, path: [] };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col, path: culprit.path };
}
