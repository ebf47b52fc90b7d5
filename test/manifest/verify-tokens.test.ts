import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFileEdits, planFileEdits } from '../../src/manifest/index.js';
import type { DesiredImage, PlannedEdit } from '../../src/manifest/index.js';
import { lex } from '../../src/manifest/lexemes.js';
import { decodeSource } from '../../src/manifest/source-text.js';
import { recordShapes, tokenFingerprint } from '../../src/manifest/token-fingerprint.js';
import { confirmByFingerprint } from '../../src/manifest/verify-tokens.js';
import type { SourceText } from '../../src/manifest/source-text.js';
import { IMAGES, fileArb, render } from './yaml-generator.js';

const desired = new Map<string, DesiredImage>([
  ['podinfo', { imageKey: 'podinfo', repository: 'r/podinfo', tag: '6.0.2', digest: '', pinDigest: false }],
]);
const MARKER = '# {"$imagepolicy": "podinfo"}';

function planned(text: string): { edits: readonly PlannedEdit[]; fingerprint: string } {
  const plan = planFileEdits('f.yaml', Buffer.from(text), desired, new Set(['podinfo']));
  expect(plan.problems).toEqual([]);
  expect(plan.fingerprint).toBeDefined();
  return { edits: plan.edits, fingerprint: plan.fingerprint! };
}

/** The fast check alone, as `applyFileEdits` calls it. */
function confirm(bytes: Buffer, edits: readonly PlannedEdit[], fingerprint: string): Buffer | undefined {
  const original = decodeSource(bytes) as SourceText;
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const ranges = new Map(
    sorted.map((edit) => {
      const start = original.charIndex(edit.start);
      return [start, { start, end: original.charIndex(edit.end), edit }] as const;
    }),
  );
  return confirmByFingerprint(original, sorted, ranges, fingerprint);
}

describe('tokenFingerprint', () => {
  const fingerprint = (text: string, masked: number[]): string | undefined =>
    tokenFingerprint(shapesOf(text), text, new Set(masked));
  const shapesOf = (text: string): readonly number[] => {
    const shapes = recordShapes();
    for (const token of lex(text).raw) shapes.add(token);
    return shapes.codes;
  };

  it('ignores the text and quoting of masked scalars only', () => {
    const plain = fingerprint('a: x\nb: [y, z]\n', [3]);
    expect(plain).toBeDefined();
    expect(fingerprint('a: "other"\nb: [y, z]\n', [3])).toBe(plain);
    expect(fingerprint('a: x\nb: [y, w]\n', [3])).not.toBe(plain);
    expect(fingerprint('a: x\nb: [y,z]\n', [3])).not.toBe(plain);
    expect(fingerprint('a: x\nb: [y, z]\n', [])).not.toBe(plain);
  });

  it('tells apart the same text cut into other tokens', () => {
    // Codes are length × 4 + kind (1: a token other than a plain scalar).
    const none = new Set<number>();
    expect(tokenFingerprint([3 * 4 + 1, 1 * 4 + 1], 'abcd', none)).toBeDefined();
    expect(tokenFingerprint([3 * 4 + 1, 1 * 4 + 1], 'abcd', none)).not.toBe(
      tokenFingerprint([1 * 4 + 1, 3 * 4 + 1], 'abcd', none),
    );
  });

  it('is undefined when the tokens do not cover the text', () => {
    expect(tokenFingerprint(shapesOf('a: x\n'), 'a: x\nmore\n', new Set([3]))).toBeUndefined();
  });

  it('is undefined when a masked offset is not the start of a scalar', () => {
    expect(fingerprint('a: x\n', [2])).toBeUndefined();
    expect(fingerprint('a: xy\n', [4])).toBeUndefined();
  });
});

describe('confirmByFingerprint', () => {
  const TEXT = `a: 1 # keep\nspec:\n  image: r/podinfo:6.0.1 ${MARKER}\n  list: [x, y]\n`;

  it('confirms the planned edit from tokens, with the bytes the full check gives', () => {
    const { edits, fingerprint } = planned(TEXT);
    const fast = confirm(Buffer.from(TEXT), edits, fingerprint);
    const full = applyFileEdits(Buffer.from(TEXT), edits);
    expect(fast?.toString()).toBe(TEXT.replace('6.0.1', '6.0.2'));
    expect(full.ok && full.bytes.equals(fast!)).toBe(true);
  });

  it.each([
    ['a tag on the edited node', `spec:\n  image: !!str r/podinfo:6.0.1 ${MARKER}\n`],
    ['a tag on the line before', `spec:\n  image: !!str\n    r/podinfo:6.0.1 ${MARKER}\n`],
    ['a %YAML directive', `%YAML 1.2\n---\nimage: r/podinfo:6.0.1 ${MARKER}\n`],
  ])('leaves %s to the full check, which still applies the edit', (_name, text) => {
    const { edits, fingerprint } = planned(text);
    expect(confirm(Buffer.from(text), edits, fingerprint)).toBeUndefined();
    const result = applyFileEdits(Buffer.from(text), edits, fingerprint);
    expect(result.ok && result.bytes.toString()).toBe(text.replace('6.0.1', '6.0.2'));
  });

  it('keeps an anchor on the edited node on the fast path', () => {
    const text = `image: &img r/podinfo:6.0.1 ${MARKER}\n`;
    const { edits, fingerprint } = planned(text);
    expect(confirm(Buffer.from(text), edits, fingerprint)?.toString()).toBe(text.replace('6.0.1', '6.0.2'));
  });

  it.each([
    ['the file changed outside the scalar', (text: string) => text.replace('list: [x, y]', 'list: [x, y')],
    ['a comment was added', (text: string) => text.replace('# keep', '# keep it')],
    ['the value changed since planning', (text: string) => text.replace('6.0.1', '6.0.0')],
  ])('does not confirm when %s; the full check decides', (_name, change) => {
    const { edits, fingerprint } = planned(TEXT);
    const now = Buffer.from(change(TEXT));
    expect(confirm(now, edits, fingerprint)).toBeUndefined();
    if (now.length === TEXT.length) expect(applyFileEdits(now, edits, fingerprint).ok).toBe(false);
  });

  it('does not confirm edits other than the planned ones', () => {
    const { edits, fingerprint } = planned(TEXT);
    const [edit] = edits as [PlannedEdit];
    for (const replacement of ['r/podinfo:6.0.2 #x', 'a: b', '"r/podinfo', '1.10', "'6.0.3'", 'x\ny: z']) {
      const changed = { ...edit, replacement, new: replacement === "'6.0.3'" ? '6.0.2' : replacement };
      expect(confirm(Buffer.from(TEXT), [changed], fingerprint)).toBeUndefined();
      expect(applyFileEdits(Buffer.from(TEXT), [changed], fingerprint).ok).toBe(false);
    }
  });
});

/** Raw sources a bad edit might splice in, and values it might claim they hold. */
const SOURCES = [
  'v2',
  '"v2"',
  "'v2'",
  '1.10',
  '"1.10"',
  'true',
  'a: b',
  'x #y',
  '"open',
  "'it''s'",
  '[v2]',
  'v2,',
  '&a v2',
  '!!str v2',
  '*a',
  '"\\x41"',
  'a\nb: c',
  '',
  'null',
  '- v2',
];
const VALUES = ['v2', '1.10', 'true', 'a: b', "it's", 'A', '[v2]', 'null'];

describe('the fast check never accepts what the full check refuses', () => {
  it('on random files, with planned and with arbitrary replacements', () => {
    let fast = 0;
    fc.assert(
      fc.property(
        fileArb,
        fc.constantFrom(...IMAGES),
        fc.option(fc.record({ source: fc.constantFrom(...SOURCES), value: fc.constantFrom(...VALUES) })),
        (file, image, tamper) => {
          const { bytes } = render(file);
          const want = new Map([
            [image, { imageKey: image, repository: 'reg/x', tag: 'v2', digest: '', pinDigest: false }],
          ]);
          const plan = planFileEdits('random.yaml', bytes, want, new Set(IMAGES));
          if (plan.edits.length === 0 || plan.fingerprint === undefined) return;
          const edits = tamper
            ? plan.edits.map((edit, index) =>
                index === 0 ? { ...edit, replacement: tamper.source, new: tamper.value } : edit,
              )
            : plan.edits;
          const confirmed = confirm(bytes, edits, plan.fingerprint);
          const full = applyFileEdits(bytes, edits);
          if (confirmed) {
            fast += 1;
            expect(full.ok && full.bytes.equals(confirmed)).toBe(true);
          }
          if (!tamper) expect(full.ok).toBe(true);
          const combined = applyFileEdits(bytes, edits, plan.fingerprint);
          expect(combined.ok).toBe(full.ok);
        },
      ),
      { numRuns: 200 },
    );
    expect(fast).toBeGreaterThan(15);
  });
});
