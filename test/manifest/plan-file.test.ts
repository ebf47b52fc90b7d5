import { describe, expect, it } from 'vitest';
import { findFileMarkers, planFileEdits } from '../../src/manifest/index.js';
import type { DesiredImage } from '../../src/manifest/index.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo';
const podinfo = (over: Partial<DesiredImage> = {}): Map<string, DesiredImage> =>
  new Map([
    [
      'podinfo',
      { imageKey: 'podinfo', repository: REPO, tag: '6.0.2', digest: '', pinDigest: false, ...over },
    ],
  ]);
const known = new Set(['podinfo']);
const plan = (text: string, desired = podinfo()) =>
  planFileEdits('f.yaml', Buffer.from(text), desired, known);

describe('planFileEdits', () => {
  it('records the marker, its owner document and a byte-exact edit', () => {
    const text = `kind: Deployment\nmetadata: {name: web}\nspec:\n  image: ${REPO}:6.0.1 # {"$imagepolicy": "flux-system:podinfo"}\n`;
    const result = plan(text);
    expect(result.markers).toEqual([
      {
        imageKey: 'podinfo',
        field: 'image',
        namespace: 'flux-system',
        file: 'f.yaml',
        line: 4,
        column: 10,
        value: `${REPO}:6.0.1`,
        documentKind: 'Deployment',
        documentName: 'web',
      },
    ]);
    const [edit] = result.edits;
    expect(text.slice(edit!.start, edit!.end)).toBe(`${REPO}:6.0.1`);
    expect(edit).toMatchObject({ old: `${REPO}:6.0.1`, new: `${REPO}:6.0.2`, replacement: `${REPO}:6.0.2` });
  });

  it('ignores whole-line comments, which is how people comment a line out', () => {
    const result = plan(`# image: x # {"$imagepolicy": "nobody"}\na: b\n  # {"$imagepolicy": "podinfo"}\n`);
    expect(result).toEqual({ markers: [], edits: [], problems: [] });
  });

  it('warns about markers that trail no scalar value, naming the line', () => {
    const text = [
      'a: # {"$imagepolicy": "podinfo"}',
      '  x',
      'b: |  # {"$imagepolicy": "podinfo"}',
      '  text',
      'c: &x v',
      'd: *x # {"$imagepolicy": "podinfo"}',
      'e: [ # {"$imagepolicy": "podinfo"}',
      '  x]',
      '? k # {"$imagepolicy": "podinfo"}',
      ': v',
      '',
    ].join('\n');
    const result = plan(text);
    expect(result.edits).toEqual([]);
    expect(result.problems.map((problem) => [problem.line, problem.severity])).toEqual([
      [1, 'warning'],
      [3, 'warning'],
      [6, 'warning'],
      [7, 'warning'],
      [9, 'warning'],
    ]);
    expect(result.problems.map((problem) => problem.message)).toEqual([
      expect.stringContaining('a key with no value on its line'),
      expect.stringContaining('a block scalar'),
      expect.stringContaining('an alias'),
      expect.stringContaining('an opening bracket'),
      expect.stringContaining('it follows a mapping key'),
    ]);
  });

  it('marks the last value of an item that spans a flow line ending with a comma', () => {
    const result = plan(`e: [\n  x, ${REPO}:6.0.1, # {"$imagepolicy": "podinfo"}\n]\n`);
    expect(result.edits.map((edit) => edit.new)).toEqual([`${REPO}:6.0.2`]);
  });

  it('keeps markers of known images without a decision, and makes no edit for them', () => {
    const result = planFileEdits(
      'f.yaml',
      Buffer.from('a: v1 # {"$imagepolicy": "api:tag"}\n'),
      podinfo(),
      new Set(['api']),
    );
    expect(result.markers).toHaveLength(1);
    expect(result.edits).toEqual([]);
    expect(result.problems).toEqual([]);
  });

  it('warns when a digest is asked for but none is known', () => {
    const result = plan('d: sha256:0 # {"$imagepolicy": "podinfo:digest"}\n', podinfo({ digest: '' }));
    expect(result.edits).toEqual([]);
    expect(result.problems[0]?.message).toContain('no digest is known');
  });

  it('reports a file that is not UTF-8 and leaves it alone', () => {
    const bytes = Buffer.concat([
      Buffer.from('a: '),
      Buffer.from([0xff]),
      Buffer.from(' # {"$imagepolicy": "podinfo"}\n'),
    ]);
    const result = planFileEdits('f.yaml', bytes, podinfo(), known);
    expect(result.edits).toEqual([]);
    expect(result.problems).toEqual([
      { code: 'unparseable', file: 'f.yaml', severity: 'error', message: 'not valid UTF-8; left alone' },
    ]);
  });

  it('reports a file whose alias names no anchor before it, and leaves it alone', () => {
    const text = `base: &base {replicas: 2}\nspec:\n  <<: *bsae\n  image: ${REPO}:6.0.1 # {"$imagepolicy": "podinfo"}\n`;
    const result = plan(text);
    expect(result.edits).toEqual([]);
    expect(result.problems).toEqual([
      {
        code: 'unparseable',
        file: 'f.yaml',
        line: 3,
        column: 7,
        severity: 'error',
        message: 'does not parse as YAML, left alone: alias *bsae names no anchor before it',
      },
    ]);
    // With the anchor spelled right, the same file is planned; `*` elsewhere is no alias.
    const fixed = plan(
      text.replace('*bsae', '*base').replace('{replicas', '{host: "*.example.com", replicas'),
    );
    expect(fixed.problems).toEqual([]);
    expect(fixed.edits.map((edit) => edit.new)).toEqual([`${REPO}:6.0.2`]);
  });

  it('finds markers without planning', () => {
    const result = findFileMarkers('f.yaml', Buffer.from('t: 1 # {"$imagepolicy": "podinfo:tag"}\n'), known);
    expect(result.markers.map((marker) => [marker.field, marker.value])).toEqual([['tag', '1']]);
  });
});
