/**
 * Text from outside (registry tags and errors, event fields, file contents) made safe to put
 * on one line of a terminal, a log or a commit message: control characters, line and
 * paragraph separators and bidirectional overrides are escaped (so nothing can start a new
 * line or reorder what a person reads), backslashes are doubled (so the escapes are not
 * ambiguous), and the result is cut at `max` characters with a count of what was left out.
 */

/** Default cap of printable(): long enough for any valid tag or repository name. */
export const PRINTABLE_MAX = 160;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x00: '\\0',
  0x09: '\\t',
  0x0a: '\\n',
  0x0d: '\\r',
  0x5c: '\\\\',
};

/** Whether a code point could break a line or mislead a reader and must be escaped. */
function unsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

function escaped(code: number): string {
  const short = SHORT_ESCAPES[code];
  if (short) return short;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Whether `text` needs no escaping (and so prints as it is, if short enough). */
export function isPrintable(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0x5c || unsafe(code)) return false;
  }
  return true;
}

export function printable(text: string, max = PRINTABLE_MAX): string {
  const parts: string[] = [];
  let length = 0;
  let consumed = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const piece = code === 0x5c || unsafe(code) ? escaped(code) : char;
    if (length + piece.length > max) break;
    parts.push(piece);
    length += piece.length;
    consumed += char.length;
  }
  const out = parts.join('');
  if (consumed >= text.length) return out;
  return `${out}…(+${text.length - consumed} chars)`;
}
