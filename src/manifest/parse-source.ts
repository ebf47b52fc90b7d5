import { Composer, LineCounter, Parser, lex, visit } from 'yaml-next';
import type { Document } from 'yaml-next';
import { MARKER_WORD, createMarkerWalker } from './marker-sites.js';
import { recordShapes } from './token-fingerprint.js';
import type { MarkerSite } from './marker-sites.js';

export interface ParseFailure {
  /** String index where the parser gave up. */
  readonly offset: number;
  readonly message: string;
}

export interface ParsedSource {
  readonly documents: readonly Document.Parsed[];
  readonly lineCounter: LineCounter;
  /** The lexer's tokens for the text, as `tokenFingerprint` takes them. */
  readonly shapes: readonly number[];
  /** Marker comments, when asked for. */
  readonly sites: readonly MarkerSite[];
  /** The first error of any document; the file is then left alone. */
  readonly failure?: ParseFailure;
}

/**
 * One pass over the text: the CST feeds both the marker walker and the composer, so a
 * marked file is lexed and parsed once; the lexer's tokens are recorded for fingerprinting.
 * `lexemes` (the `yaml` lexer's output for `text`) saves lexing again when the caller has them.
 */
export function parseSource(
  text: string,
  options: { readonly markers: boolean; readonly lexemes?: readonly string[] },
): ParsedSource {
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false });
  const walker = options.markers ? createMarkerWalker(text.lastIndexOf(MARKER_WORD)) : undefined;
  // What `Parser.parse` does, with the lexer's tokens recorded along the way.
  const shapes = recordShapes();
  lineCounter.addNewLine(0);
  for (const lexeme of options.lexemes ?? lex(text)) {
    shapes.add(lexeme);
    parser.next(lexeme);
  }
  const tokens = parser.end();
  if (walker) for (const token of tokens) walker.visit(token);
  const documents = composer.compose(tokens);
  const failure = firstFailure(documents) ?? (text.includes('*') ? firstLostAlias(documents) : undefined);
  return {
    documents,
    lineCounter,
    shapes: shapes.codes,
    sites: walker?.sites ?? [],
    ...(failure === undefined ? {} : { failure }),
  };
}

function firstFailure(documents: readonly Document.Parsed[]): ParseFailure | undefined {
  for (const document of documents) {
    const error = document.errors[0];
    if (error) return { offset: error.pos[0], message: error.message };
  }
  return undefined;
}

/**
 * The first alias that names no anchor before it. YAML makes that an error, and the tools
 * that read manifests (kustomize, Flux, kubectl) refuse such a file; `yaml` reports it only
 * when the value is read. Only text holding a `*` can hold an alias.
 */
function firstLostAlias(documents: readonly Document.Parsed[]): ParseFailure | undefined {
  let lost: ParseFailure | undefined;
  for (const document of documents) {
    visit(document, {
      Alias(_key, alias) {
        if (alias.resolve(document) !== undefined) return undefined;
        const message = `alias *${alias.source} names no anchor before it`;
        lost = { offset: alias.range?.[0] ?? 0, message };
        return visit.BREAK;
      },
    });
    if (lost) return lost;
  }
  return undefined;
}

/** 1-based line and column of a string index; columns count characters (code points). */
export function positionOf(
  parsed: ParsedSource,
  text: string,
  offset: number,
): { line: number; column: number } {
  const { line, col } = parsed.lineCounter.linePos(offset);
  let column = 1;
  for (let index = offset - (col - 1); index < offset; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0xdc00 || code > 0xdfff) column += 1;
  }
  return { line, column };
}

/** The document whose source range holds `offset`. */
export function documentAt(parsed: ParsedSource, offset: number): Document.Parsed | undefined {
  let found: Document.Parsed | undefined;
  for (const document of parsed.documents) {
    if (document.range[0] > offset) break;
    found = document;
  }
  return found;
}
