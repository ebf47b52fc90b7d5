import { describe, expect, it } from 'vitest';
import { parseEcrEventText } from '../../src/daemon/ecr-event.js';
import { scopeForPush } from '../../src/daemon/event-scope.js';
import { ACCOUNT, pushEvent, testConfig } from './fakes.js';

const signature = `sha256-${'b'.repeat(64)}`;

function withDetail(detail: Record<string, unknown>, envelope: Record<string, unknown> = {}): string {
  const base = JSON.parse(pushEvent('team/web', '1.0.0')) as { detail: Record<string, unknown> };
  return JSON.stringify({ ...base, ...envelope, detail: { ...base.detail, ...detail } });
}

describe('parseEcrEventText', () => {
  it('reads a successful push', () => {
    expect(parseEcrEventText(pushEvent('team/web', '1.2.3'))).toMatchObject({
      kind: 'push',
      repositoryName: 'team/web',
      tag: '1.2.3',
      account: ACCOUNT,
      region: 'eu-west-1',
    });
  });

  it.each([
    ['a DELETE', withDetail({ 'action-type': 'DELETE' }), 'not-a-push'],
    ['UPDATE_STORAGE_CLASS', withDetail({ 'action-type': 'UPDATE_STORAGE_CLASS' }), 'not-a-push'],
    ['a failed push', withDetail({ result: 'FAILED' }), 'not-successful'],
    ['an untagged push', withDetail({ 'image-tag': undefined }), 'untagged'],
    ['a cosign signature', withDetail({ 'image-tag': `${signature}.sig` }), 'signature-tag'],
    ['a cosign attestation', withDetail({ 'image-tag': `${signature}.att` }), 'signature-tag'],
    ['an SBOM', withDetail({ 'image-tag': `${signature}.sbom` }), 'signature-tag'],
    ['a scan event', withDetail({}, { 'detail-type': 'ECR Image Scan' }), 'other-detail-type'],
    ['another source', withDetail({}, { source: 'aws.s3' }), 'other-source'],
  ])('ignores %s', (_name, text, reason) => {
    expect(parseEcrEventText(text)).toMatchObject({ kind: 'ignored', reason });
  });

  it.each([
    ['not JSON', '{"detail-type":'],
    ['an array', '[]'],
    ['a string', '"hello"'],
    ['no detail', JSON.stringify({ source: 'aws.ecr', 'detail-type': 'ECR Image Action' })],
    ['no repository', withDetail({ 'repository-name': undefined })],
    ['no action', withDetail({ 'action-type': 7 })],
  ])('calls %s malformed', (_name, text) => {
    expect(parseEcrEventText(text).kind).toBe('malformed');
  });

  it('tolerates absent account, region and media types', () => {
    const text = withDetail({ 'manifest-media-type': undefined }, { account: undefined, region: undefined });
    const event = parseEcrEventText(text);
    expect(event).toMatchObject({ kind: 'push', tag: '1.0.0' });
    expect(event).not.toHaveProperty('account');
  });
});

describe('scopeForPush', () => {
  const config = testConfig();
  const scope = (text: string) => {
    const event = parseEcrEventText(text);
    if (event.kind !== 'push') throw new Error('not a push');
    return scopeForPush(config, event);
  };

  it('reconciles the environments that pick the image directly, not those promoting it', () => {
    expect(scope(pushEvent('team/web', '2.0.0'))).toEqual({
      kind: 'scope',
      scope: { images: ['web'], environments: ['dev', 'staging'] },
    });
    expect(scope(pushEvent('team/worker', '2.0.0'))).toEqual({
      kind: 'scope',
      scope: { images: ['worker'], environments: ['staging'] },
    });
  });

  it('ignores repositories of other accounts, regions or names', () => {
    expect(scope(withDetail({}, { account: '999999999999' }))).toMatchObject({
      reason: 'unknown-repository',
    });
    expect(scope(withDetail({}, { region: 'us-east-1' }))).toMatchObject({ reason: 'unknown-repository' });
    expect(scope(pushEvent('team/other', '1.0.0'))).toMatchObject({ reason: 'unknown-repository' });
  });

  it('matches by name alone when the envelope has no account or region', () => {
    expect(scope(withDetail({}, { account: undefined, region: undefined }))).toMatchObject({ kind: 'scope' });
  });

  it('ignores an image only promoted', () => {
    const promoted = testConfig({
      environments: {
        prod: { branch: 'main', policies: { web: { promote: { from: 'prod', after: '1h' } } } },
      },
    });
    const event = parseEcrEventText(pushEvent('team/web', '1.0.0'));
    if (event.kind !== 'push') throw new Error('not a push');
    expect(scopeForPush(promoted, event)).toMatchObject({ kind: 'ignored', reason: 'no-environment' });
  });
});
