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
        `podinfo  ${REPO}  6.0.1 → 6.0.2`,
        '  clusters/prod/podinfo/deployment.yaml  Deployment/podinfo',
        '',
        'Drawbridge-Environment: prod',
        `Drawbridge-Update: podinfo 6.0.1 -> 6.0.2 sha256:${'a'.repeat(64)}`,
        '',
      ].join('\n'),
    );
  });

  it('summarises many images in the subject and keeps one trailer per image', () => {
    const updates = ['a', 'b', 'c', 'd'].map((image) => ({ ...podinfo, image, old: '', files: [] }));
    const message = renderCommitMessage({ environment: 'dev', updates });
    expect(message.split('\n')[0]).toBe('deploy(dev): 4 images (a, b, c, d)');
    expect(parseTrailers(message).updates.map((u) => [u.image, u.old])).toEqual([
      ['a', ''],
      ['b', ''],
      ['c', ''],
      ['d', ''],
    ]);
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
