/**
 * Exact decimal numbers for `order: numerical`: `42`, `007`, `-3`, `1.50`, and integers of any
 * length (timestamps like 20260101120000123 lose nothing). No exponents, no `+`, no `.5`.
 * A key points into its text instead of slicing it, so parsing allocates nothing when a
 * reusable key is passed in.
 */
export interface NumberKey {
  readonly text: string;
  readonly negative: boolean;
  /** Integer digits without leading zeros (at least one digit): text[wholeStart, wholeEnd). */
  readonly wholeStart: number;
  readonly wholeEnd: number;
  /** Fraction digits without trailing zeros (may be empty): text[fractionStart, fractionEnd). */
  readonly fractionStart: number;
  readonly fractionEnd: number;
}

export type MutableNumberKey = { -readonly [K in keyof NumberKey]: NumberKey[K] };

export function blankNumberKey(): MutableNumberKey {
  return { text: '0', negative: false, wholeStart: 0, wholeEnd: 1, fractionStart: 1, fractionEnd: 1 };
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

export function parseNumberKey(text: string, into?: MutableNumberKey): MutableNumberKey | undefined {
  const negative = text.charCodeAt(0) === 45; // '-'
  const start = negative ? 1 : 0;
  const wholeEnd = digitsEnd(text, start);
  if (wholeEnd === start) return undefined;
  let fractionStart = wholeEnd;
  let fractionEnd = wholeEnd;
  if (wholeEnd < text.length) {
    if (text.charCodeAt(wholeEnd) !== 46) return undefined; // '.'
    fractionStart = wholeEnd + 1;
    fractionEnd = digitsEnd(text, fractionStart);
    if (fractionEnd === fractionStart || fractionEnd !== text.length) return undefined;
  }
  let wholeStart = start;
  while (wholeStart < wholeEnd - 1 && text.charCodeAt(wholeStart) === 48) wholeStart += 1;
  while (fractionEnd > fractionStart && text.charCodeAt(fractionEnd - 1) === 48) fractionEnd -= 1;
  const zero =
    wholeEnd - wholeStart === 1 && text.charCodeAt(wholeStart) === 48 && fractionEnd === fractionStart;
  const key = into ?? blankNumberKey();
  key.text = text;
  key.negative = negative && !zero;
  key.wholeStart = wholeStart;
  key.wholeEnd = wholeEnd;
  key.fractionStart = fractionStart;
  key.fractionEnd = fractionEnd;
  return key;
}

/** Compares text[aStart, aEnd) with text[bStart, bEnd) as digit strings of equal length. */
function compareDigits(a: string, aStart: number, b: string, bStart: number, length: number): number {
  for (let k = 0; k < length; k += 1) {
    const diff = a.charCodeAt(aStart + k) - b.charCodeAt(bStart + k);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

function compareMagnitude(a: NumberKey, b: NumberKey): number {
  const aWhole = a.wholeEnd - a.wholeStart;
  const bWhole = b.wholeEnd - b.wholeStart;
  if (aWhole !== bWhole) return aWhole < bWhole ? -1 : 1;
  const whole = compareDigits(a.text, a.wholeStart, b.text, b.wholeStart, aWhole);
  if (whole !== 0) return whole;
  const aFraction = a.fractionEnd - a.fractionStart;
  const bFraction = b.fractionEnd - b.fractionStart;
  const fraction = compareDigits(
    a.text,
    a.fractionStart,
    b.text,
    b.fractionStart,
    Math.min(aFraction, bFraction),
  );
  if (fraction !== 0) return fraction;
  return aFraction === bFraction ? 0 : aFraction < bFraction ? -1 : 1;
}

/** Negative when a < b, 0 when equal (`007` = `7`, `1.50` = `1.5`), positive when a > b. */
export function compareNumberKeys(a: NumberKey, b: NumberKey): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitude(a, b);
  return a.negative && magnitude !== 0 ? -magnitude : magnitude;
}

export function formatNumberKey(key: NumberKey): string {
  const whole = key.text.slice(key.wholeStart, key.wholeEnd);
  const fraction = key.text.slice(key.fractionStart, key.fractionEnd);
  return `${key.negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
