import { lex as yamlLex } from 'yaml-next';

/** One lexical token; a plain scalar's marker and text are joined into one. */
export interface Lexeme {
  /** String index where the token starts. */
  readonly offset: number;
  /** Source text; zero-width control tokens keep their control character. */
  readonly source: string;
  readonly scalar: boolean;
}

/** The `yaml` lexer's marker before a plain scalar's text, and its other zero-width markers. */
export const PLAIN_SCALAR = '\x1f';
export const ZERO_WIDTH: ReadonlySet<string> = new Set(['\x02', '\x18', PLAIN_SCALAR]);

/** Whether a token starting with this character code is a quoted scalar. */
export function opensQuoted(code: number): boolean {
  return code === 0x22 || code === 0x27;
}

export interface Lexed {
  /** Raw lexer output, to feed a `Parser` without lexing twice. */
  readonly raw: readonly string[];
  readonly lexemes: readonly Lexeme[];
}

export function lex(text: string): Lexed {
  const raw: string[] = [];
  const lexemes: Lexeme[] = [];
  eachLexeme(
    text,
    (source, offset, scalar) => {
      lexemes.push({ offset, source, scalar });
      return true;
    },
    (source) => raw.push(source),
  );
  return { raw, lexemes };
}

/**
 * Runs the `yaml` lexer over `text`: `onRaw` hears every token as the lexer gives it, `visit`
 * each lexeme (a plain scalar's marker joined to its text) with its string index. Stops and
 * returns false as soon as `visit` returns false.
 */
export function eachLexeme(
  text: string,
  visit: (source: string, offset: number, scalar: boolean) => boolean,
  onRaw?: (source: string) => void,
): boolean {
  let offset = 0;
  let plain = false;
  for (const source of yamlLex(text)) {
    onRaw?.(source);
    if (source === PLAIN_SCALAR && !plain) {
      plain = true;
      continue;
    }
    if (!visit(source, offset, plain || opensQuoted(source.charCodeAt(0)))) return false;
    if (plain || source.length !== 1 || !ZERO_WIDTH.has(source)) offset += source.length;
    plain = false;
  }
  return true;
}

export interface TokenEdit {
  /** String indices of the edited scalar in the original text. */
  readonly start: number;
  readonly end: number;
}

export type LexemeComparison =
  | { readonly ok: true; readonly editedAt: ReadonlyMap<number, number> }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/**
 * Holds the two token streams side by side: equal everywhere except that each edited
 * scalar is still exactly one scalar token. Returns, for each edit start in `before`, where
 * its scalar starts in `after`. The parser and composer are deterministic over tokens, so
 * equal tokens elsewhere mean equal documents elsewhere.
 */
export function compareLexemes(
  before: readonly Lexeme[],
  after: readonly Lexeme[],
  edits: ReadonlyMap<number, TokenEdit>,
): LexemeComparison {
  const editedAt = new Map<number, number>();
  const count = Math.min(before.length, after.length);
  for (let index = 0; index < count; index += 1) {
    const old = before[index]!;
    const now = after[index]!;
    const edit = old.scalar ? edits.get(old.offset) : undefined;
    if (edit) {
      if (old.offset + old.source.length !== edit.end) {
        return { ok: false, offset: now.offset, message: 'the planned range is not exactly one scalar' };
      }
      if (!now.scalar)
        return { ok: false, offset: now.offset, message: 'the new value is not read as one scalar' };
      editedAt.set(old.offset, now.offset);
      continue;
    }
    if (old.source !== now.source || old.scalar !== now.scalar) {
      return { ok: false, offset: now.offset, message: 'text outside the edited values reads differently' };
    }
  }
  if (before.length !== after.length) {
    return { ok: false, offset: after[count]?.offset ?? 0, message: 'the token structure changed' };
  }
  if (editedAt.size !== edits.size) {
    return {
      ok: false,
      offset: 0,
      message: 'an edit does not start at a scalar (the file changed since planning)',
    };
  }
  return { ok: true, editedAt };
}
