import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyFileEdits, planFileEdits } from '../../src/manifest/index.js';
import type { DesiredImage, MarkerField } from '../../src/manifest/index.js';
import { IMAGES, fileArb, render } from './yaml-generator.js';

const TRICKY = [
  'v1.2.3',
  '1.10',
  'true',
  '20240101',
  'null',
  '~',
  '0x1f',
  '1e3',
  'a: b',
  'x #y',
  "it's",
  'say "hi"',
  'ü1',
  '-lead',
  '[x]',
  '{y}',
  'a,b',
  ' pad',
  'tab\there',
  'yes',
  '2001-12-14',
  '',
  'two\nlines',
  '*star',
  '!bang',
];

const desiredArb: fc.Arbitrary<Map<string, DesiredImage>> = fc
  .array(
    fc.record({
      imageKey: fc.constantFrom(...IMAGES),
      repository: fc.constantFrom('reg.example/app', 'reg.example:5000/team/app', 'ü.example/ä'),
      tag: fc.constantFrom(...TRICKY),
      digest: fc.constantFrom(`sha256:${'d'.repeat(64)}`, 'sha256:0'),
      pinDigest: fc.boolean(),
    }),
    { maxLength: 3 },
  )
  .map((images) => new Map(images.map((image) => [image.imageKey, image])));

/** What a marker should hold, written out here independently of the code under test. */
function intended(field: MarkerField, image: DesiredImage): string {
  if (field === 'tag') return image.tag;
  if (field === 'name') return image.repository;
  if (field === 'digest') return image.digest;
  return `${image.repository}:${image.tag}${image.pinDigest ? `@${image.digest}` : ''}`;
}

function setIn(value: unknown, path: readonly (string | number)[], next: string): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    return (value as unknown[]).map((item, index) => (index === head ? setIn(item, rest, next) : item));
  }
  const record = value as Record<string, unknown>;
  return { ...record, [head!]: setIn(record[head!], rest, next) };
}

describe('byte-exact edits on random YAML', () => {
  it('changes only the marked scalars, which read back as intended', () => {
    let edited = 0;
    fc.assert(
      fc.property(fileArb, desiredArb, (file, desired) => {
        const { bytes, placed, values } = render(file);
        const plan = planFileEdits('random.yaml', bytes, desired, new Set(IMAGES));
        expect(plan.problems).toEqual([]);
        expect(plan.markers.map((marker) => marker.value)).toEqual(placed.map((mark) => mark.value));

        let expected = values;
        const changing = placed.flatMap((mark) => {
          const image = desired.get(mark.mark.image);
          const next = image ? intended(mark.mark.field, image) : mark.value;
          if (next === mark.value) return [];
          expected = expected.map((doc, index) =>
            index === mark.document ? setIn(doc, mark.path, next) : doc,
          );
          return [{ start: mark.start, end: mark.end, next }];
        });
        expect(plan.edits.map((edit) => ({ start: edit.start, end: edit.end, next: edit.new }))).toEqual(
          changing,
        );

        edited += plan.edits.length;
        const result = applyFileEdits(bytes, plan.edits);
        if (!result.ok) throw new Error(result.problem.message);
        // Outside the edited ranges, the bytes are the original ones, in order.
        let cursor = 0;
        let outputCursor = 0;
        for (const edit of plan.edits) {
          const same = bytes.subarray(cursor, edit.start);
          expect(result.bytes.subarray(outputCursor, outputCursor + same.length).equals(same)).toBe(true);
          outputCursor += same.length + Buffer.byteLength(edit.replacement);
          cursor = edit.end;
        }
        expect(result.bytes.subarray(outputCursor).equals(bytes.subarray(cursor))).toBe(true);

        // Read back with yaml 2.x, the stable line, apart from the yaml 3 that drawbridge parses
        // manifests with. It rejects a block sequence right after a BOM; the BOM is checked above.
        const documents = parseAllDocuments(result.bytes.toString('utf8').replace(/^\ufeff/, ''));
        expect(documents.flatMap((document) => document.errors)).toEqual([]);
        expect(documents.map((document): unknown => document.toJS() as unknown)).toEqual(expected);
        expect(planFileEdits('random.yaml', result.bytes, desired, new Set(IMAGES)).edits).toEqual([]);
      }),
      { numRuns: 250 },
    );
    // Not vacuous: many runs did edit something.
    expect(edited).toBeGreaterThan(100);
  });
});
