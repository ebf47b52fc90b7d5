import { createHash } from 'node:crypto';
import { PLAIN_SCALAR, ZERO_WIDTH, opensQuoted } from './lexemes.js';

/** Low two bits of a token's shape code; the rest is its length, or a control token's character. */
const PLAIN = 0;
const OTHER = 1;
const CONTROL = 2;
const MASKED = 3;

/**
 * A `yaml` lexer token stream held as one number per token — its kind (plain scalar, other,
 * zero-width control) and length — so that with the text it stood for it can be
 * fingerprinted without keeping every token's string. Feed it the lexer's tokens in order.
 */
export interface TokenShapes {
  add(source: string): void;
  /** One code per token; a plain scalar's `\x1f` marker is folded into its scalar. */
  readonly codes: readonly number[];
}

export function recordShapes(): TokenShapes {
  const codes: number[] = [];
  let plain = false;
  return {
    codes,
    add(source) {
      if (source === PLAIN_SCALAR && !plain) {
        plain = true;
        return;
      }
      if (plain) codes.push(source.length * 4 + PLAIN);
      else if (source.length === 1 && ZERO_WIDTH.has(source)) codes.push(source.charCodeAt(0) * 4 + CONTROL);
      else codes.push(source.length * 4 + OTHER);
      plain = false;
    },
  };
}

/**
 * Digest of a token stream (its shapes, and `text`, which the tokens cover end to end) in
 * which each scalar starting at an offset in `masked` (string indices) counts only as "an
 * edited scalar", whatever its text or quoting. Two streams with the same fingerprint are
 * equal token for token except at those scalars: the digest covers the token count, every
 * code (kind and length, or the masked mark) and the text outside the masked scalars, which
 * the lengths cut back into tokens one way only. Undefined when an offset in `masked` is
 * not the start of a scalar token, or the tokens do not cover `text`.
 */
export function tokenFingerprint(
  shapes: readonly number[],
  text: string,
  masked: ReadonlySet<number>,
): string | undefined {
  // A code fits 32 bits: no token is longer than a string can be (2^29 code units).
  const marked = new Int32Array(shapes.length);
  const cuts: number[] = [];
  let offset = 0;
  for (let index = 0; index < shapes.length; index += 1) {
    const code = shapes[index]!;
    const kind = code & 3;
    marked[index] = code;
    if (kind === CONTROL) continue;
    const length = code >> 2;
    const first = text.charCodeAt(offset);
    const scalar = kind === PLAIN || opensQuoted(first);
    if (scalar && masked.has(offset)) {
      marked[index] = MASKED;
      cuts.push(offset, offset + length);
    }
    offset += length;
  }
  if (offset !== text.length || cuts.length !== masked.size * 2) return undefined;
  const hash = createHash('sha256').update(Int32Array.of(shapes.length)).update(marked);
  let from = 0;
  for (let index = 0; index < cuts.length; index += 2) {
    hash.update(text.slice(from, cuts[index]));
    from = cuts[index + 1]!;
  }
  return hash.update(text.slice(from)).digest('base64');
}
