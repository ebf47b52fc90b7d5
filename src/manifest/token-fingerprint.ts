import { createHash } from 'node:crypto';

/** The `yaml` lexer's zero-width control tokens; `\x1f` comes before a plain scalar's text. */
const PLAIN_SCALAR = '\x1f';
const ZERO_WIDTH = new Set(['\x02', '\x18', PLAIN_SCALAR]);

/**
 * Digest of a raw `yaml` lexer token stream in which each scalar starting at an offset in
 * `masked` (string indices) counts only as "an edited scalar", whatever its text or quoting.
 * Two streams with the same fingerprint are equal token for token except at those scalars.
 * Undefined when an offset in `masked` is not the start of a scalar token.
 */
export function tokenFingerprint(raw: readonly string[], masked: ReadonlySet<number>): string | undefined {
  const parts: string[] = [];
  let offset = 0;
  let plain = false;
  let found = 0;
  for (const source of raw) {
    if (source === PLAIN_SCALAR && !plain) {
      plain = true;
      continue;
    }
    const scalar = plain || source.startsWith('"') || source.startsWith("'");
    if (scalar && masked.has(offset)) {
      parts.push('m');
      found += 1;
    } else {
      // Kind, length and text: no two different streams give the same string.
      parts.push(`${plain ? 'p' : 't'}${source.length}:${source}`);
    }
    if (plain || !ZERO_WIDTH.has(source)) offset += source.length;
    plain = false;
  }
  if (found !== masked.size) return undefined;
  return createHash('sha256').update(parts.join('')).digest('base64');
}
