import { describe, expect, it } from 'vitest';
import {
  parseTrailers,
  renderCommitMessage,
  unknownPlaceholders,
  type CommitUpdate,
} from '../../src/git/message.js';
import { markedTag } from '../../src/git/marker-line.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo';
const podinfo: CommitUpdate = {
  image: 'podinfo',
  repository: REPO,
  old: '6.0.1',
  new: '6.0.2',
  digest: 'sha256:' + 'a'.repeat(64),
  files: [{ file: 'clusters/prod/podinfo/deployment.yaml', kind: 'Deployment', name: 'podinfo' }],
};

describe('commit messages', () => {
  it('renders the default format of SPEC §5', () => {
    expect(renderCommitMessage({ environment: 'prod', updates: [podinfo] })).toBe(
      [
        'deploy(prod): podinfo 6.0.1 → 6.0.2',
        '',
        `podinfo  ${REPO}  6.0.1 → 6.0.2  sha256:aaaaaaaaaaaa`,
        '  clusters/prod/podinfo/deployment.yaml  Deployment/podinfo',
        '',
        'Drawbridge-Environment: prod',
        `Drawbridge-Update: podinfo 6.0.1 -> 6.0.2 sha256:${'a'.repeat(64)}`,
        '',
      ].join('\n'),
    );
  });

  it('lists the first images in the subject, then how many more, and keeps one trailer per image', () => {
    const updates = ['a', 'b', 'c', 'd'].map((image) => ({ ...podinfo, image, old: '', files: [] }));
    const message = renderCommitMessage({ environment: 'dev', updates });
    expect(message.split('\n')[0]).toBe('deploy(dev): a - → 6.0.2, b - → 6.0.2, c - → 6.0.2, d - → 6.0.2');
    expect(parseTrailers(message).updates.map((u) => [u.image, u.old])).toEqual([
      ['a', ''],
      ['b', ''],
      ['c', ''],
      ['d', ''],
    ]);
  });

  it('stays readable at fleet size: a 72-character subject, cut file lists, every trailer', () => {
    const updates: CommitUpdate[] = Array.from({ length: 200 }, (_, i) => ({
      image: `svc-${i}`,
      repository: `${REPO}-${i}`,
      old: '1.0.0',
      new: '1.0.99',
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      files: Array.from({ length: 35 }, (__, f) => ({
        file: `apps/app-${f}/deployment.yaml`,
        kind: 'Deployment',
      })),
      references: 35,
    }));
    const message = renderCommitMessage({ environment: 'prod', updates });
    const lines = message.split('\n');
    expect(lines[0]).toBe('deploy(prod): svc-0 1.0.0 → 1.0.99, svc-1 1.0.0 → 1.0.99 and 198 more');
    expect([...lines[0]!].length).toBeLessThanOrEqual(72);
    // Every image has its head line (with a short digest) and a count of the files not listed.
    expect(lines.filter((line) => / {2}1\.0\.0 → 1\.0\.99 {2}sha256:[0-9a-f]{12}$/.test(line))).toHaveLength(
      200,
    );
    expect(lines.filter((line) => line === '  35 files')).toHaveLength(200);
    const parsed = parseTrailers(message);
    expect(parsed.environment).toBe('prod');
    expect(parsed.updates).toHaveLength(200);
    expect(parsed.updates[199]).toEqual({
      image: 'svc-199',
      old: '1.0.0',
      new: '1.0.99',
      digest: updates[199]!.digest,
    });
  });

  it('shares the file lines among images and counts what it leaves out', () => {
    const files = Array.from({ length: 30 }, (_, f) => ({ file: `f${f}.yaml` }));
    const updates = ['a', 'b', 'c', 'd'].map((image) => ({ ...podinfo, image, files }));
    const lines = renderCommitMessage({ environment: 'dev', updates }).split('\n');
    expect(lines.filter((line) => /^ {2}f\d+\.yaml$/.test(line))).toHaveLength(100);
    expect(lines.filter((line) => line === '  … and 5 more files')).toHaveLength(4);
    const one = renderCommitMessage({ environment: 'dev', updates: [{ ...podinfo, files }] }).split('\n');
    expect(one.filter((line) => /^ {2}f\d+\.yaml$/.test(line))).toHaveLength(30);
  });

  it('falls back to image names, then a count, when changes do not fit the subject', () => {
    const long = { ...podinfo, new: `1.0.0-${'x'.repeat(100)}` };
    expect(renderCommitMessage({ environment: 'prod', updates: [long] }).split('\n')[0]).toBe(
      'deploy(prod): podinfo',
    );
    const two = [long, { ...long, image: 'api' }];
    expect(renderCommitMessage({ environment: 'prod', updates: two }).split('\n')[0]).toBe(
      'deploy(prod): podinfo, api',
    );
    const named = { ...long, image: 'i'.repeat(80) };
    const subject = renderCommitMessage({ environment: 'prod', updates: [named, named] }).split('\n')[0]!;
    expect(subject).toBe('deploy(prod): 2 images');
    const environment = 'e'.repeat(80);
    const cut = renderCommitMessage({ environment, updates: [podinfo] }).split('\n')[0]!;
    expect([...cut].length).toBe(72);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('offers summary placeholders to templates', () => {
    const files = [{ file: 'a.yaml' }, { file: 'b.yaml' }];
    const updates = [
      { ...podinfo, files, references: 3 },
      { ...podinfo, image: 'api', files: [{ file: 'a.yaml' }] },
    ];
    const template =
      '{{subject}}\n\n{{count}} images, {{fileCount}} files, {{referenceCount}} values\n{{changes}}';
    const message = renderCommitMessage({ environment: 'prod', updates, template });
    expect(message.split('\n\nDrawbridge-Environment')[0]).toBe(
      [
        'deploy(prod): podinfo 6.0.1 → 6.0.2, api 6.0.1 → 6.0.2',
        '',
        '2 images, 2 files, 4 values',
        'podinfo 6.0.1 → 6.0.2',
        'api 6.0.1 → 6.0.2',
      ].join('\n'),
    );
  });

  it('renders a template and always appends the trailers, which round-trip', () => {
    const template = 'chore({{environment}}): bump {{images}} ({{count}})\n\n{{summary}}\n{{unknown}}';
    const message = renderCommitMessage({ environment: 'prod', updates: [podinfo], template });
    expect(
      message.startsWith('chore(prod): bump podinfo (1)\n\npodinfo 6.0.1 → 6.0.2\n{{unknown}}\n\n'),
    ).toBe(true);
    expect(parseTrailers(message)).toEqual({
      environment: 'prod',
      updates: [{ image: 'podinfo', old: '6.0.1', new: '6.0.2', digest: podinfo.digest }],
    });
    expect(unknownPlaceholders(template)).toEqual(['unknown']);
  });

  it('reads trailers kept in a squash-merge body and hold trailers', () => {
    const squash = '* deploy(prod): x\n\n  Drawbridge-Environment: prod\n  Drawbridge-Update: api 1 -> 2\n';
    expect(parseTrailers(squash)).toEqual({
      environment: 'prod',
      updates: [{ image: 'api', old: '1', new: '2' }],
    });
    expect(parseTrailers('hold\n\nDrawbridge-Environment: dev\nDrawbridge-Hold: api\n')).toMatchObject({
      environment: 'dev',
      hold: 'api',
    });
    expect(parseTrailers('no trailers here')).toEqual({ updates: [] });
  });
});

describe('marked lines', () => {
  it.each([
    [`    image: ${REPO}:6.0.1 # {"$imagepolicy": "flux-system:podinfo"}`, 'podinfo', '6.0.1', undefined],
    [`  - image: "${REPO}:6.0.1@sha256:abc" # {"$imagepolicy": "podinfo"}`, 'podinfo', '6.0.1', 'sha256:abc'],
    [`    newTag: '1.2.3' # {"$imagepolicy": "api:tag"}`, 'api', '1.2.3', undefined],
    [`  - ${REPO}:7.0.0 # {"$imagepolicy": "podinfo"}`, 'podinfo', '7.0.0', undefined],
    [`tag: v2 #{"$imagepolicy":"api:tag"}\r`, 'api', 'v2', undefined],
  ])('%s', (line, imageKey, tag, digest) => {
    expect(markedTag(line)).toEqual({ imageKey, tag, ...(digest ? { digest } : {}) });
  });

  it.each([
    `repository: ${REPO} # {"$imagepolicy": "podinfo:name"}`,
    `image: ${REPO} # {"$imagepolicy": "podinfo"}`,
    `image: ${REPO}:1.0.0 # no marker`,
  ])('ignores %s', (line) => {
    expect(markedTag(line)).toBeUndefined();
  });
});
