import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureGroups } from '../../src/checks/regex.js';
import { parseExtract } from '../../src/policy/extract.js';
import { humanDuration } from '../../src/policy/human-duration.js';
import { compareNumberKeys, formatNumberKey, parseNumberKey } from '../../src/policy/number-key.js';

describe('number keys', () => {
  it.each([
    ['42', '42'],
    ['007', '7'],
    ['0', '0'],
    ['-0', '0'],
    ['-0.00', '0'],
    ['1.50', '1.5'],
    ['-3.25', '-3.25'],
    ['000.010', '0.01'],
  ])('%s reads as %s', (text, shown) => {
    expect(formatNumberKey(parseNumberKey(text)!)).toBe(shown);
  });

  it.each(['', '-', '1.', '.5', '+1', '1e5', '1,5', '0x10', ' 1', 'Infinity', '1.2.3'])(
    '%j is not a number',
    (text) => {
      expect(parseNumberKey(text)).toBeUndefined();
    },
  );

  it('orders integers exactly like BigInt', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        (a, b) => {
          const expected = a === b ? 0 : a < b ? -1 : 1;
          expect(Math.sign(compareNumberKeys(parseNumberKey(String(a))!, parseNumberKey(String(b))!))).toBe(
            expected,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders decimals like numbers', () => {
    const decimal = fc
      .tuple(fc.integer({ min: -999, max: 999 }), fc.nat({ max: 999 }))
      .map(([w, f]) => `${w}.${String(f).padStart(3, '0')}`);
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const expected = Math.sign(Number(a) - Number(b));
        expect(Math.sign(compareNumberKeys(parseNumberKey(a)!, parseNumberKey(b)!))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('extract templates', () => {
  const match = /^(?<kind>[a-z]+)-(\d+)-(?<sha>[0-9a-f]+)(x)?$/.exec('main-42-abc')!;
  it.each([
    ['$2', '42'],
    ['$kind', 'main'],
    ['${sha}', 'abc'],
    ['${kind}.$2', 'main.42'],
    ['$$$2', '$42'],
    ['$5', ''],
    ['$4', ''],
    ['$2x', ''],
    ['plain', 'plain'],
  ])('%s → %j', (template, expected) => {
    expect(parseExtract(template).expand(match)).toBe(expected);
  });

  it('lists the groups a pattern defines', () => {
    const groups = captureGroups('^(?<ts>\\d+)-(\\w+)$')!;
    expect(groups.count).toBe(2);
    expect([...groups.names]).toEqual(['ts']);
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [400, '1s'],
    [45_000, '45s'],
    [61_000, '1m1s'],
    [3 * 3_600_000 - 500, '3h'],
    [7_500_000, '2h5m'],
    [86_400_000 - 30_000, '1d'],
    [93_600_000, '1d2h'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
