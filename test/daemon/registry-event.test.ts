/** Registry push notifications read, ignored or refused, before anything trusts them. */
import { describe, expect, it } from 'vitest';
import { parseRegistryEventText } from '../../src/daemon/registry-event.js';
import { registryPushProblem } from '../../src/daemon/registry-intake.js';

describe('registry notifications', () => {
  it('reads the four formats into pushes', () => {
    expect(
      parseRegistryEventText(
        JSON.stringify({
          events: [
            { action: 'pull', target: { repository: 'a' } },
            {
              action: 'push',
              target: {
                repository: 'team/api',
                tag: '1.0.0',
                url: 'https://r.example:5000/v2/team/api/manifests/x',
              },
            },
          ],
        }),
      ),
    ).toEqual({
      kind: 'pushes',
      format: 'distribution',
      pushes: [{ host: 'r.example:5000', path: 'team/api', tag: '1.0.0' }],
    });
    expect(
      parseRegistryEventText(
        JSON.stringify({ push_data: { tag: 'latest' }, repository: { repo_name: 'nginx' } }),
      ),
    ).toEqual({
      kind: 'pushes',
      format: 'dockerhub',
      pushes: [{ host: 'docker.io', path: 'library/nginx', tag: 'latest' }],
    });
    expect(parseRegistryEventText(JSON.stringify({ type: 'DELETE_ARTIFACT', event_data: {} }))).toMatchObject(
      { kind: 'ignored', reason: 'not-a-push' },
    );
    expect(
      parseRegistryEventText(
        JSON.stringify({
          action: 'published',
          registry_package: { package_type: 'npm', name: 'x', namespace: 'y' },
        }),
      ),
    ).toMatchObject({ kind: 'ignored', reason: 'not-a-container' });
  });

  it('refuses bodies that are none of them, and fields outside their grammar', () => {
    expect(parseRegistryEventText('not json')).toEqual({ kind: 'malformed', detail: 'body is not JSON' });
    expect(parseRegistryEventText('[]')).toMatchObject({ kind: 'malformed' });
    expect(
      parseRegistryEventText(JSON.stringify({ events: Array.from({ length: 501 }, () => ({})) })),
    ).toMatchObject({ kind: 'malformed' });
    expect(registryPushProblem({ path: 'team/api', tag: 'v1\u001b[31m' })).toEqual({
      field: 'tag',
      shown: expect.not.stringContaining('\u001b') as string,
    });
    expect(registryPushProblem({ path: '../etc/passwd' })?.field).toBe('repository');
    expect(registryPushProblem({ host: 'evil host', path: 'a' })?.field).toBe('host');
    expect(registryPushProblem({ path: 'a', digest: 'sha256:xyz' })?.field).toBe('digest');
    expect(
      registryPushProblem({
        host: 'ghcr.io',
        path: 'acme/api',
        tag: '1.0.0',
        digest: `sha256:${'0'.repeat(64)}`,
      }),
    ).toBeUndefined();
  });
});
