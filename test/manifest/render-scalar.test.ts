import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isPlainSafe, renderScalar } from '../../src/manifest/index.js';
import type { ScalarStyle } from '../../src/manifest/render-scalar.js';

describe('renderScalar', () => {
  const cases: [ScalarStyle, string, boolean, string][] = [
    ['scalar', '6.0.2', false, '6.0.2'],
    ['scalar', 'reg.example/app:6.0.2', false, 'reg.example/app:6.0.2'],
    ['scalar', 'reg.example/app:6.0.2', true, 'reg.example/app:6.0.2'],
    ['scalar', '1.10', false, '"1.10"'],
    ['scalar', '20240101', false, '"20240101"'],
    ['scalar', 'true', false, '"true"'],
    ['scalar', 'yes', false, '"yes"'],
    ['scalar', 'on', false, '"on"'],
    ['scalar', '0x1f', false, '"0x1f"'],
    ['scalar', '1e3', false, '"1e3"'],
    ['scalar', 'null', false, '"null"'],
    ['scalar', '~', false, '"~"'],
    ['scalar', '', false, '""'],
    ['scalar', '2001-12-14', false, '"2001-12-14"'],
    ['scalar', '1:20', false, '"1:20"'],
    ['scalar', 'a: b', false, '"a: b"'],
    ['scalar', 'x #y', false, '"x #y"'],
    ['scalar', 'x#y', false, 'x#y'],
    ['scalar', 'ends:', false, '"ends:"'],
    ['scalar', '-lead', false, '"-lead"'],
    ['scalar', '*star', false, '"*star"'],
    ['scalar', 'a,b', false, 'a,b'],
    ['scalar', 'a,b', true, '"a,b"'],
    ['scalar', 'x]', true, '"x]"'],
    ['scalar', ' pad', false, '" pad"'],
    ['scalar', 'two\nlines', false, '"two\\nlines"'],
    ['single-quoted-scalar', "it's", false, "'it''s'"],
    ['single-quoted-scalar', '6.0.2', false, "'6.0.2'"],
    ['single-quoted-scalar', 'tab\there', false, '"tab\\there"'],
    ['double-quoted-scalar', 'say "hi" \\o/', false, '"say \\"hi\\" \\\\o/"'],
    ['double-quoted-scalar', 'ü/é', false, '"ü/é"'],
  ];
  it.each(cases)('%s %j (flow: %s) → %s', (style, value, inFlow, expected) => {
    const rendered = renderScalar(style, value, inFlow);
    expect(rendered).toBe(expected);
    expect(parse(`k: ${rendered}`)).toEqual({ k: value });
  });

  it('calls plain only what both YAML 1.2 and 1.1 read as the same string', () => {
    expect(isPlainSafe('v1.2.3', false)).toBe(true);
    expect(isPlainSafe('main-20240101-abcdef0', false)).toBe(true);
    expect(isPlainSafe('1_000', false)).toBe(false);
    expect(isPlainSafe('0o17', false)).toBe(false);
    expect(isPlainSafe('.inf', false)).toBe(false);
    expect(isPlainSafe('---', false)).toBe(false);
  });
});
