import { isUtf8 } from 'node:buffer';

/**
 * A file's bytes decoded to the UTF-16 string the `yaml` package works on, with the
 * conversions between string indices and byte offsets. A leading BOM is left out of the
 * text (the `yaml` parser rejects a top-level block sequence right after one) and counted
 * in the byte offsets, so splices keep it.
 */
export interface SourceText {
  readonly bytes: Buffer;
  /** The text after the BOM, if any. */
  readonly text: string;
  /** String index (UTF-16 code units) → byte offset in `bytes`. */
  byteOffset(charIndex: number): number;
  /** Byte offset (on a character boundary) → string index; -1 when it is not on one. */
  charIndex(byteOffset: number): number;
}

const BOM_BYTES = 3;

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Undefined when the bytes are not valid UTF-8 (YAML files must be). */
export function decodeSource(input: Uint8Array): SourceText | undefined {
  const bytes = toBuffer(input);
  if (!isUtf8(bytes)) return undefined;
  const decoded = bytes.toString('utf8');
  const bom = decoded.charCodeAt(0) === 0xfeff ? BOM_BYTES : 0;
  const text = bom ? decoded.slice(1) : decoded;
  const convert =
    text.length === bytes.length - bom
      ? { byteOffset: (index: number) => index, charIndex: (offset: number) => offset }
      : offsetConverter(text);
  return {
    bytes,
    text,
    byteOffset: (index) => convert.byteOffset(index) + bom,
    charIndex: (offset) => (offset < bom ? -1 : convert.charIndex(offset - bom)),
  };
}

function utf8Length(text: string, index: number): { bytes: number; units: number } {
  const code = text.charCodeAt(index);
  if (code < 0x80) return { bytes: 1, units: 1 };
  if (code < 0x800) return { bytes: 2, units: 1 };
  if (code >= 0xd800 && code <= 0xdbff) return { bytes: 4, units: 2 };
  return { bytes: 3, units: 1 };
}

/** Walks forward from the last position asked for; edits come in source order, so this stays linear. */
function offsetConverter(text: string): Pick<SourceText, 'byteOffset' | 'charIndex'> {
  const cursor = { char: 0, byte: 0 };
  const rewindIf = (behind: boolean): void => {
    if (!behind) return;
    cursor.char = 0;
    cursor.byte = 0;
  };
  const step = (): void => {
    const { bytes, units } = utf8Length(text, cursor.char);
    cursor.char += units;
    cursor.byte += bytes;
  };
  return {
    byteOffset(charIndex) {
      rewindIf(charIndex < cursor.char);
      while (cursor.char < charIndex && cursor.char < text.length) step();
      return cursor.byte;
    },
    charIndex(byteOffset) {
      rewindIf(byteOffset < cursor.byte);
      while (cursor.byte < byteOffset && cursor.char < text.length) step();
      return cursor.byte === byteOffset ? cursor.char : -1;
    },
  };
}
