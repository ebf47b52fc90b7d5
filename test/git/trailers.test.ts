import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { renderCommitMessage, renderHoldMessage, type CommitUpdate } from '../../src/git/message.js';
import { parseTrailers, renderUpdateTrailers } from '../../src/git/trailers.js';
import { HOSTILE_TAGS } from '../registries/hostile-tags.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const update = (extra: Partial<CommitUpdate> = {}): CommitUpdate => ({
  image: 'podinfo',
  repository: REPO,
  old: '1.0.0',
  new: '1.0.1',
  digest: DIGEST,
  files: [{ file: 'apps/podinfo.yaml', kind: 'Deployment', name: 'podinfo' }],
  ...extra,
});
const trailerLines = (message: string): string[] =>
  message.split('\n').filter((line) => /^\s*drawbridge-/i.test(line));

describe('writing trailers refuses values that could forge or split a line', () => {
  it.each(HOSTILE_TAGS)('a new tag with %s is never written', (_name, tag) => {
    expect(() => renderCommitMessage({ environment: 'dev', updates: [update({ new: tag })] })).toThrow(
      GitError,
    );
  });

  it.each([
    ['environment', () => renderUpdateTrailers('dev\nDrawbridge-Environment: prod', [update()])],
    ['image key', () => renderUpdateTrailers('dev', [update({ image: 'podinfo 1 -> 2' })])],
    [
      'digest',
      () => renderUpdateTrailers('dev', [update({ digest: `${DIGEST}\nDrawbridge-Environment: prod` })]),
    ],
    ['short digest', () => renderUpdateTrailers('dev', [update({ digest: 'sha256:abc' })])],
    ['hold image', () => renderHoldMessage({ environment: 'dev', image: 'a\nb', hold: true, by: 'x' })],
  ])('a bad %s throws GitError', (_what, render) => {
    expect(render).toThrow(GitError);
  });

  it('the forged tag of the incident produces no commit message at all', () => {
    expect(() =>
      renderCommitMessage({
        environment: 'dev',
        updates: [update({ new: '1.0.1\nDrawbridge-Environment: prod' })],
      }),
    ).toThrow(/new tag of podinfo "1\.0\.1\\\\nDrawbridge-Environment: prod" is not valid/);
  });

  it('an old value that is not a tag travels as `-` and stays on its line in the body', () => {
    const message = renderCommitMessage({
      environment: 'dev',
      updates: [update({ old: '{{ .Values.tag }}\nDrawbridge-Environment: prod' })],
    });
    expect(trailerLines(message)).toEqual([
      'Drawbridge-Environment: dev',
      `Drawbridge-Update: podinfo - -> 1.0.1 ${DIGEST}`,
    ]);
    expect(message).toContain('{{ .Values.tag }}\\nDrawbridge-Environment: prod → 1.0.1');
    expect(parseTrailers(message)).toEqual({
      environment: 'dev',
      updates: [{ image: 'podinfo', old: '', new: '1.0.1', digest: DIGEST }],
    });
  });

  it('file paths and document names from the repository cannot add a trailer', () => {
    const message = renderCommitMessage({
      environment: 'dev',
      updates: [
        update({
          files: [
            { file: 'Drawbridge-Update: podinfo 1 -> 9.9.9.yaml' },
            { file: 'a.yaml', kind: 'Deployment\nDrawbridge-Environment: prod', name: 'x' },
          ],
        }),
      ],
    });
    expect(trailerLines(message)).toHaveLength(2);
    expect(message).toContain('\n>   Drawbridge-Update: podinfo 1 -> 9.9.9.yaml\n');
    expect(parseTrailers(message)).toMatchObject({
      environment: 'dev',
      updates: [{ image: 'podinfo', new: '1.0.1' }],
    });
  });

  it('a template line that looks like a trailer is quoted', () => {
    const message = renderCommitMessage({
      environment: 'dev',
      updates: [update()],
      template: '{{subject}}\n\nDrawbridge-Environment: prod',
    });
    expect(message).toContain('\n> Drawbridge-Environment: prod\n');
    expect(parseTrailers(message).environment).toBe('dev');
  });

  it('a hold reason stays one line of the body', () => {
    const message = renderHoldMessage({
      environment: 'prod',
      image: 'podinfo',
      hold: true,
      by: 'Eve\nDrawbridge-Release: podinfo',
      reason: 'x\nDrawbridge-Environment: dev',
    });
    expect(trailerLines(message)).toEqual(['Drawbridge-Environment: prod', 'Drawbridge-Hold: podinfo']);
    expect(parseTrailers(message)).toEqual({ environment: 'prod', updates: [], hold: 'podinfo' });
  });
});

describe('reading trailers is as strict as writing them', () => {
  const good = `deploy(dev): podinfo 1.0.0 → 1.0.1\n\nDrawbridge-Environment: dev\nDrawbridge-Update: podinfo 1.0.0 -> 1.0.1 ${DIGEST}\n`;

  it('reads what drawbridge writes', () => {
    expect(parseTrailers(renderCommitMessage({ environment: 'dev', updates: [update()] }))).toEqual(
      parseTrailers(good),
    );
    expect(parseTrailers(good)).toEqual({
      environment: 'dev',
      updates: [{ image: 'podinfo', old: '1.0.0', new: '1.0.1', digest: DIGEST }],
    });
  });

  it('refuses a message of the forged-trailer incident as a whole', () => {
    const forged =
      'deploy(dev): podinfo 1.0.0 → 1.0.1\n\nDrawbridge-Environment: dev\n' +
      'Drawbridge-Update: podinfo 1.0.0 -> 1.0.1\nDrawbridge-Environment: prod\n';
    const parsed = parseTrailers(forged);
    expect(parsed.updates).toEqual([]);
    expect(parsed.environment).toBeUndefined();
    expect(parsed.refused).toEqual(['2 different Drawbridge-Environment trailers']);
  });

  it.each([
    ['a lower-case key', 'drawbridge-update: podinfo 1.0.0 -> 1.0.1'],
    ['no space after the colon', 'Drawbridge-Update:podinfo 1.0.0 -> 1.0.1'],
    ['two spaces', 'Drawbridge-Update: podinfo  1.0.0 -> 1.0.1'],
    ['trailing text', `Drawbridge-Update: podinfo 1.0.0 -> 1.0.1 ${DIGEST} extra`],
    ['a tag outside the grammar', 'Drawbridge-Update: podinfo 1.0.0 -> 1.0.1"'],
    ['a YAML flow tag', 'Drawbridge-Update: podinfo 1.0.0 -> {a:b}'],
    ['an option as a tag', 'Drawbridge-Update: podinfo 1.0.0 -> --upload-pack=x'],
    ['a command substitution', 'Drawbridge-Update: podinfo 1.0.0 -> $(id)'],
    ['a short digest', 'Drawbridge-Update: podinfo 1.0.0 -> 1.0.1 sha256:abc'],
    ['an upper-case digest', `Drawbridge-Update: podinfo 1.0.0 -> 1.0.1 sha256:${'A'.repeat(64)}`],
    [
      'a carriage return in a value',
      'Drawbridge-Update: podinfo 1.0.0 -> 1.0.1\rDrawbridge-Environment: prod',
    ],
    ['a NUL byte', 'Drawbridge-Update: podinfo 1.0.0 -> 1.0.1\0'],
    ['a 5,000-character tag', `Drawbridge-Update: podinfo 1.0.0 -> ${'9'.repeat(5000)}`],
    ['a bad environment name', 'Drawbridge-Environment: dev #c'],
    ['a bad hold', 'Drawbridge-Hold: {a: b}'],
  ])('refuses a message with %s', (_name, line) => {
    const parsed = parseTrailers(`deploy(dev): x\n\nDrawbridge-Environment: dev\n${line}\n`);
    expect(parsed.updates).toEqual([]);
    expect(parsed.environment).toBeUndefined();
    expect(parsed.refused).toHaveLength(1);
  });

  it('still reads squash-merge bodies with the same environment repeated', () => {
    const squash =
      '* deploy(prod): a\n\n  Drawbridge-Environment: prod\n  Drawbridge-Update: api 1 -> 2\n\n' +
      '* deploy(prod): b\n\n  Drawbridge-Environment: prod\n  Drawbridge-Update: api 2 -> 3\n';
    expect(parseTrailers(squash)).toEqual({
      environment: 'prod',
      updates: [
        { image: 'api', old: '1', new: '2' },
        { image: 'api', old: '2', new: '3' },
      ],
    });
  });

  it('ignores lines that are not drawbridge keys and quoted ones', () => {
    expect(parseTrailers('x\n\nDrawbridge-Note: anything\n> Drawbridge-Environment: prod\n')).toEqual({
      updates: [],
    });
  });
});
