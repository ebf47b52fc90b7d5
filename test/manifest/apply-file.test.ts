import { describe, expect, it } from 'vitest';
import { applyFileEdits, planFileEdits } from '../../src/manifest/index.js';
import type { DesiredImage, PlannedEdit } from '../../src/manifest/index.js';

const desired = new Map<string, DesiredImage>([
  ['podinfo', { imageKey: 'podinfo', repository: 'r/podinfo', tag: '6.0.2', digest: '', pinDigest: false }],
]);
const TEXT = 'a: x # keep\nspec:\n  image: r/podinfo:6.0.1 # {"$imagepolicy": "podinfo"}\n  other: 1\n';
const original = Buffer.from(TEXT);
const [planned] = planFileEdits('f.yaml', original, desired, new Set(['podinfo'])).edits as [PlannedEdit];

function tamper(change: Partial<PlannedEdit>): ReturnType<typeof applyFileEdits> {
  return applyFileEdits(original, [{ ...planned, ...change }]);
}

describe('applyFileEdits', () => {
  it('splices only the planned bytes', () => {
    const result = applyFileEdits(original, [planned]);
    expect(result.ok && result.bytes.toString()).toBe(TEXT.replace('r/podinfo:6.0.1', 'r/podinfo:6.0.2'));
  });

  it.each([
    ['a replacement that starts a comment', { replacement: 'r/podinfo:6.0.2 #x', new: 'r/podinfo:6.0.2 #x' }],
    ['a replacement that makes a mapping', { replacement: 'a: b', new: 'a: b' }],
    ['a replacement that leaves a quote open', { replacement: '"r/podinfo', new: 'r/podinfo' }],
    ['a replacement that breaks the line', { replacement: 'x\nnew: key', new: 'x' }],
    ['a replacement that reads as another value', { replacement: "'6.0.3'", new: '6.0.2' }],
    ['a replacement that reads as a number', { replacement: '1.10', new: '1.10' }],
  ])('refuses %s and leaves the file alone', (_name, change) => {
    const result = tamper(change);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatchObject({ file: 'f.yaml', severity: 'error' });
      expect(result.problem.message).toContain('file left as it was');
    }
  });

  it.each([
    ['an old value that no longer matches', { old: '6.0.0' }],
    ['a range that is not one whole scalar', { end: planned.end - 2 }],
    ['a range that starts before the scalar', { start: planned.start - 1 }],
    ['a range past the end of the file', { start: original.length + 1, end: original.length + 2 }],
  ])('refuses %s as a file changed since planning', (_name, change) => {
    const result = tamper(change);
    expect(result.ok).toBe(false);
  });

  it('refuses overlapping edits and edits for several files', () => {
    expect(applyFileEdits(original, [planned, { ...planned, start: planned.start + 1 }]).ok).toBe(false);
    expect(applyFileEdits(original, [planned, { ...planned, file: 'g.yaml' }]).ok).toBe(false);
  });

  it('refuses a file that no longer parses', () => {
    const broken = Buffer.from(TEXT.replace('other: 1', 'other: [1'));
    const result = applyFileEdits(broken, [planned]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toContain('does not parse');
  });

  it('returns the bytes unchanged when there is nothing to do', () => {
    const result = applyFileEdits(original, []);
    expect(result.ok && result.bytes.equals(original)).toBe(true);
  });
});
