/**
 * drawbridge.yaml as YAML: the plain value to validate, the syntax problems with their
 * positions, and a locator from a path (`environments.prod.policies.api`) back to the line
 * and column of its key or value, so every later error can point at the offending node.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type ParsedNode,
  visit,
} from 'yaml';
import type { Anchor, Locator, PathIssue, PathSegment, Position } from './issues.js';
import { lowerFirst } from './text.js';

export interface YamlSource extends Locator {
  /** The document as plain data; undefined when it could not be built. */
  readonly value: unknown;
  readonly errors: readonly PathIssue[];
  readonly warnings: readonly PathIssue[];
  /** True when the syntax errors make further validation meaningless. */
  readonly fatal: boolean;
}

const START: Position = { line: 1, column: 1 };

/** yaml's codes for problems after which the document still means what it says. */
const NON_FATAL_CODES: ReadonlySet<string> = new Set(['DUPLICATE_KEY']);

/**
 * yaml's `maxAliasCount` for building the plain value: past it, yaml stops expanding aliases
 * (a "billion laughs" file would otherwise take all memory).
 */
export const MAX_ALIAS_NODES = 1000;

export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positionAt = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const errors: PathIssue[] = [];
  const offsets = new Set<number>();
  for (const error of doc.errors) {
    // One complaint per position: an unclosed quote also "ends" every collection around it.
    if (offsets.has(error.pos[0])) continue;
    offsets.add(error.pos[0]);
    errors.push(syntaxIssue(doc, error.code, error.message, error.pos[0]));
  }
  const structural = structuralProblems(doc);
  errors.push(...structural);
  const fatal = structural.length > 0 || doc.errors.some((error) => !NON_FATAL_CODES.has(error.code));
  const warnings = doc.warnings.map((warning) => ({
    path: pathAtOffset(doc, warning.pos[0]) ?? [],
    offset: warning.pos[0],
    message: warning.message,
  }));
  return {
    value: fatal ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_NODES }),
    errors,
    warnings,
    fatal,
    position: (path, anchor) => locate(doc, path, anchor, positionAt),
    positionAt,
  };
}

function syntaxIssue(doc: Document, code: string, message: string, offset: number): PathIssue {
  if (code === 'DUPLICATE_KEY') {
    const path = pathAtOffset(doc, offset) ?? [];
    const name = path.at(-1);
    return {
      path,
      offset,
      message: `duplicate key${name === undefined ? '' : ` \`${String(name)}\``}: a key may appear once per mapping`,
      hint: 'merge the two entries into one, or rename one of them',
    };
  }
  if (code === 'MULTIPLE_DOCS') {
    return {
      path: [],
      offset,
      message: 'the file holds more than one YAML document',
      hint: 'drawbridge.yaml is a single document: remove the `---` separator and what follows, or merge them',
    };
  }
  if (code === 'MISSING_CHAR' && /quote/.test(message)) {
    // yaml notices at the end of the file; the fix is where the quote opened.
    const start = unclosedQuoteStart(doc, offset);
    const quote = message.includes('"') ? '"' : "'";
    return {
      path: start === undefined ? [] : (pathAtOffset(doc, start) ?? []),
      offset: start ?? offset,
      message: `this ${quote === '"' ? 'double' : 'single'} quote is never closed`,
      hint: `add the closing ${quote}; as it is, the string runs on to the end of the file`,
    };
  }
  if (code === 'TAB_AS_INDENT') {
    return { path: [], offset, message: 'tabs are not allowed as indentation', hint: 'indent with spaces' };
  }
  return {
    path: pathAtOffset(doc, offset) ?? [],
    offset,
    message: `YAML syntax error: ${lowerFirst(message)}`,
    hint: 'check the indentation, quoting and brackets at this position',
  };
}

function unclosedQuoteStart(doc: Document, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE';
      if (quoted && node.range && node.range[0] < offset && node.range[1] >= offset) start = node.range[0];
    },
  });
  return start;
}

/** Keys that are not plain scalars and aliases without an anchor: YAML, but not a config. */
function structuralProblems(doc: Document): PathIssue[] {
  const problems: PathIssue[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (isAlias(node)) {
      if (node.resolve(doc) === undefined) {
        problems.push({
          path,
          offset: node.range?.[0] ?? 0,
          message: `alias \`*${node.source}\` names no anchor defined before it`,
          hint: `define \`&${node.source}\` on an earlier node, or write the value out`,
        });
      }
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          problems.push({
            path,
            offset: (pair.key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0,
            message: 'a key must be a plain name, not a list or a mapping',
            hint: 'write the key as a plain word, e.g. `podinfo:`',
          });
          continue;
        }
        visit(pair.value, [...path, String(pair.key.value)]);
      }
      return;
    }
    if (isSeq(node)) node.items.forEach((item, index) => visit(item, [...path, index]));
  };
  visit(doc.contents, []);
  return problems;
}

/** The path of the key (or item) starting at `offset`, if any. */
function pathAtOffset(doc: Document, offset: number): PathSegment[] | undefined {
  const search = (node: unknown, path: PathSegment[]): PathSegment[] | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const keyPath = [...path, String(pair.key.value)];
        const range = pair.key.range;
        if (range && range[0] === offset) return keyPath;
        const valueRange = (pair.value as Node | null)?.range;
        if (valueRange && valueRange[0] <= offset && offset < valueRange[2]) {
          return search(pair.value, keyPath) ?? keyPath;
        }
      }
      return undefined;
    }
    if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const range = (item as Node | null)?.range;
        if (range && range[0] <= offset && offset < range[2])
          return search(item, [...path, index]) ?? [...path, index];
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}

function locate(
  doc: Document,
  path: readonly PathSegment[],
  anchor: Anchor,
  positionAt: (offset: number) => Position,
): Position {
  let node: unknown = doc.contents;
  let key: ParsedNode | undefined;
  for (const segment of path) {
    node = isAlias(node) ? node.resolve(doc) : node;
    const step = child(node, segment);
    if (step === undefined) return startOf(node, key, positionAt);
    key = step.key;
    node = step.value;
  }
  if (anchor === 'key' && key !== undefined) return startOf(key, undefined, positionAt);
  return startOf(node, key, positionAt);
}

interface Step {
  readonly key: ParsedNode | undefined;
  readonly value: unknown;
}

function child(node: unknown, segment: PathSegment): Step | undefined {
  if (isMap(node)) {
    // The last duplicate wins in the plain value, so point at the last one too.
    const pair = node.items.findLast(
      (item) => isScalar(item.key) && String(item.key.value) === String(segment),
    );
    if (!isPair(pair)) return undefined;
    return { key: pair.key as ParsedNode, value: pair.value };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment];
    return item === undefined ? undefined : { key: item as ParsedNode, value: item };
  }
  return undefined;
}

/** A node's first character; an empty value (`key:`) points at its key instead. */
function startOf(
  node: unknown,
  key: ParsedNode | undefined,
  positionAt: (offset: number) => Position,
): Position {
  const range = (node as Node | null | undefined)?.range;
  const empty = isScalar(node) && node.source === '' && range?.[0] === range?.[1];
  if (range && !empty) return positionAt(range[0]);
  if (key?.range) return positionAt(key.range[0]);
  return START;
}
