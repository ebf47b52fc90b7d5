/**
 * Exact decimal numbers for `order: numerical`: `42`, `007`, `-3`, `1.50`, and integers of any
 * length (timestamps like 20260101120000123 lose nothing). No exponents, no `+`, no `.5`.
 */
export interface NumberKey {
  readonly negative: boolean;
  /** Integer digits without leading zeros; '0' for zero. */
  readonly whole: string;
  /** Fraction digits without trailing zeros; '' when none. */
  readonly fraction: string;
}

function digitsEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code < 48 || code > 57) break;
    end += 1;
  }
  return end;
}

export function parseNumberKey(text: string): NumberKey | undefined {
  let at = 0;
  const negative = text.charCodeAt(0) === 45; // '-'
  if (negative) at = 1;
  const wholeEnd = digitsEnd(text, at);
  if (wholeEnd === at) return undefined;
  let fractionStart = wholeEnd;
  let fractionEnd = wholeEnd;
  if (wholeEnd < text.length) {
    if (text.charCodeAt(wholeEnd) !== 46) return undefined; // '.'
    fractionStart = wholeEnd + 1;
    fractionEnd = digitsEnd(text, fractionStart);
    if (fractionEnd === fractionStart || fractionEnd !== text.length) return undefined;
  }
  let wholeStart = at;
  while (wholeStart < wholeEnd - 1 && text.charCodeAt(wholeStart) === 48) wholeStart += 1;
  while (fractionEnd > fractionStart && text.charCodeAt(fractionEnd - 1) === 48) fractionEnd -= 1;
  const whole = text.slice(wholeStart, wholeEnd);
  const fraction = text.slice(fractionStart, fractionEnd);
  return { negative: negative && (whole !== '0' || fraction !== ''), whole, fraction };
}

function compareMagnitude(a: NumberKey, b: NumberKey): number {
  if (a.whole.length !== b.whole.length) return a.whole.length < b.whole.length ? -1 : 1;
  if (a.whole !== b.whole) return a.whole < b.whole ? -1 : 1;
  if (a.fraction !== b.fraction) return a.fraction < b.fraction ? -1 : 1;
  return 0;
}

/** Negative when a < b, 0 when equal (`007` = `7`, `1.50` = `1.5`), positive when a > b. */
export function compareNumberKeys(a: NumberKey, b: NumberKey): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitude(a, b);
  return a.negative ? -magnitude : magnitude;
}

export function formatNumberKey(key: NumberKey): string {
  return `${key.negative ? '-' : ''}${key.whole}${key.fraction ? `.${key.fraction}` : ''}`;
}
