import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import type { Edit, Marker } from '../../src/manifest/types.js';
import { scopeEnvironments } from '../../src/reconcile.js';
import { backoffDelay } from '../../src/reconcile/backoff.js';
import { mapBounded } from '../../src/map-bounded.js';
import { currentTags, groupUpdates } from '../../src/reconcile/updates.js';

const config = parseConfig(
  `
version: 1
git: { url: /tmp/remote.git }
images:
  podinfo: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo }
  api: { repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api }
environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '>=6.0.0-0' }
      api: { newest: pushed }
  prod:
    branch: main
    policies:
      podinfo: { promote: { from: dev, after: 24h } }
`,
  'drawbridge.yaml',
).config;

describe('scopeEnvironments', () => {
  it('takes every environment and its policies by default', () => {
    expect(scopeEnvironments(config, {})).toEqual([
      ['dev', ['podinfo', 'api']],
      ['prod', ['podinfo']],
    ]);
  });

  it('narrows to the environments whose policies use the images asked for', () => {
    expect(scopeEnvironments(config, { images: ['api'] })).toEqual([['dev', ['api']]]);
    expect(scopeEnvironments(config, { environments: ['prod'] })).toEqual([['prod', ['podinfo']]]);
  });

  it('names the known environments and images when asked for an unknown one', () => {
    expect(() => scopeEnvironments(config, { environments: ['stage'] })).toThrow(UsageError);
    try {
      scopeEnvironments(config, { images: ['web'] });
    } catch (error) {
      expect((error as UsageError).hint).toBe('known images: podinfo, api');
    }
  });
});

describe('mapBounded', () => {
  it('keeps order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const progress: number[] = [];
    const results = await mapBounded(
      [5, 1, 4, 2, 3],
      2,
      async (n) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, n));
        running -= 1;
        return n * 10;
      },
      (done) => progress.push(done),
    );
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it('copes with an empty list', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially under full jitter and stays under the cap', () => {
    expect(backoffDelay(1, () => 0.999, 200)).toBe(199);
    expect(backoffDelay(3, () => 0.5, 200)).toBe(400);
    expect(backoffDelay(30, () => 0.999, 200, 5_000)).toBe(4995);
    expect(backoffDelay(2, () => 0, 200)).toBe(0);
  });
});

const marker = (over: Partial<Marker>): Marker => ({
  file: 'apps/podinfo/deployment.yaml',
  line: 3,
  column: 14,
  imageKey: 'podinfo',
  field: 'image',
  value: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo:6.0.1',
  ...over,
});

describe('currentTags and groupUpdates', () => {
  it('reads the tags in Git from image and tag markers', () => {
    const markers = [
      marker({}),
      marker({ field: 'tag', value: '6.0.1' }),
      marker({ field: 'name', value: 'x' }),
      marker({ imageKey: 'api', field: 'tag', value: 'main-1' }),
    ];
    expect(currentTags(markers, 'podinfo')).toEqual(['6.0.1']);
    expect(currentTags(markers, 'api')).toEqual(['main-1']);
    expect(currentTags(markers, 'web')).toEqual([]);
  });

  it('groups edits per image with the old tag and the files touched', () => {
    const markers = [marker({}), marker({ file: 'b.yaml', field: 'tag', value: '6.0.1' })];
    const desired = new Map([
      [
        'podinfo',
        {
          imageKey: 'podinfo',
          repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo',
          tag: '6.0.2',
          digest: 'sha256:abc',
          pinDigest: false,
        },
      ],
    ]);
    const edits: Edit[] = [
      {
        ...marker({}),
        old: markers[0]!.value,
        new: 'x:6.0.2',
        documentKind: 'Deployment',
        documentName: 'podinfo',
      },
      { ...marker({ file: 'b.yaml', field: 'tag' }), old: '6.0.1', new: '6.0.2' },
      { ...marker({ file: 'b.yaml', field: 'tag', line: 9 }), old: '6.0.1', new: '6.0.2' },
    ];
    expect(groupUpdates(edits, markers, desired)).toEqual([
      {
        image: 'podinfo',
        repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo',
        old: '6.0.1',
        new: '6.0.2',
        digest: 'sha256:abc',
        files: [
          { file: 'apps/podinfo/deployment.yaml', kind: 'Deployment', name: 'podinfo' },
          { file: 'b.yaml' },
        ],
      },
    ]);
  });
});
