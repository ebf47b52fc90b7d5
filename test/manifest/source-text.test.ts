import { describe, expect, it } from 'vitest';
import { decodeSource } from '../../src/manifest/source-text.js';

describe('decodeSource', () => {
  it('maps string indices to byte offsets across multi-byte characters and surrogate pairs', () => {
    const text = 'aé日🚀b';
    const source = decodeSource(Buffer.from(text))!;
    const expected = [0, 1, 3, 6, 10, 11];
    const indices = [0, 1, 2, 3, 5, 6];
    expect(indices.map((index) => source.byteOffset(index))).toEqual(expected);
    expect(expected.map((offset) => source.charIndex(offset))).toEqual(indices);
    // Out of order lookups rewind correctly.
    expect(source.byteOffset(1)).toBe(1);
    expect(source.charIndex(7)).toBe(-1);
  });

  it('keeps the BOM out of the text and in the byte offsets', () => {
    const source = decodeSource(Buffer.from('\ufeffkey: é'))!;
    expect(source.text).toBe('key: é');
    expect(source.byteOffset(0)).toBe(3);
    expect(source.byteOffset(5)).toBe(8);
    expect(source.charIndex(8)).toBe(5);
    expect(source.charIndex(1)).toBe(-1);
    const ascii = decodeSource(Buffer.from('\ufeffkey: v'))!;
    expect(ascii.byteOffset(5)).toBe(8);
    expect(ascii.charIndex(8)).toBe(5);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(decodeSource(Buffer.from([0x61, 0xff, 0x62]))).toBeUndefined();
  });
});
