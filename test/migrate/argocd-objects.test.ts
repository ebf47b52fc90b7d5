/** The Argo CD importer on objects alone: what keeps the printed config valid whatever the annotations say. */
import { describe, expect, it } from 'vitest';
import { importArgoCd } from '../../src/migrate/argocd.js';
import { objectsOf } from '../../src/migrate/objects.js';

const A = 'argocd-image-updater.argoproj.io';

function app(name: string, annotations: Record<string, string>, source: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
  annotations:
${Object.entries(annotations)
  .map(([key, value]) => `    ${A}/${key}: ${JSON.stringify(value)}`)
  .join('\n')}
spec:
  source: ${source}
`;
}

describe('importing Argo CD Applications', () => {
  it('reads an image named twice once, a branch that is no branch as main, and the root as the whole branch', () => {
    const text = [
      app(
        'twice',
        { 'image-list': 'api=ghcr.io/acme/api:^1.0, api=ghcr.io/acme/api:^2.0', 'git-branch': 'main..x' },
        "{ repoURL: 'https://github.com/acme/deploy.git', targetRevision: main, path: apps/twice }",
      ),
      app(
        'rooted',
        {
          'image-list': 'web=ghcr.io/acme/web',
          'write-back-method': 'git',
          'write-back-target': 'kustomization:/base',
        },
        "{ repoURL: 'https://github.com/acme/deploy.git', targetRevision: 0123456789abcdef0123456789abcdef01234567, path: . }",
      ),
      `apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-image-updater-config, namespace: argocd }
data:
  registries.conf: |
    registries:
      - { prefix: registry.local:5000, api_url: 'http://registry.local:5000' }
      - { prefix: registry.local:5000/team, api_url: 'https://registry.local:5000', insecure: yes }
`,
    ].join('---\n');
    const { config, markers } = importArgoCd(objectsOf(text, 'apps.yaml'));
    const [twice, rooted] = config.environments;
    expect(twice!.policies.map((policy) => policy.image)).toEqual(['api']);
    expect(twice!.policies[0]!.fields).toEqual({ semver: '^1.0' });
    expect(twice!.notes).toContain('image-list names api twice: the first is read');
    expect(twice!.branch).toBe('main');
    expect(twice!.notes).toContain('its branch main..x is not a valid branch name: main stands in');
    expect(rooted!.paths).toBeUndefined();
    expect(rooted!.branch).toBe('main');
    expect(rooted!.notes[0]).toContain('is not a branch: drawbridge needs the branch to commit to');
    expect(markers).toMatchObject([
      { environment: 'rooted', imageKey: 'web', target: 'kustomization', path: 'base' },
    ]);
    expect(config.registries).toEqual([{ host: 'registry.local:5000', insecure: true, notes: [] }]);
  });

  it('puts Applications of several repositories in git: and repositories:, each environment naming its own', () => {
    const text = [1, 2, 3, 4]
      .map((n) =>
        app(
          `app-${n}`,
          { 'image-list': `svc${n}=ghcr.io/acme/svc-${n}:^1.0`, 'write-back-method': 'git' },
          `{ repoURL: 'https://github.com/acme/deploy-${n % 3}.git', targetRevision: main, path: apps/${n} }`,
        ),
      )
      .join('---\n');
    const { config } = importArgoCd(objectsOf(text, 'apps.yaml'));
    expect(config.git.url).toBe('https://github.com/acme/deploy-1.git');
    expect(config.repositories).toEqual([
      { name: 'app-2-repo', url: 'https://github.com/acme/deploy-2.git' },
      { name: 'app-3-repo', url: 'https://github.com/acme/deploy-0.git' },
    ]);
    expect(config.environments.map((environment) => environment.repository)).toEqual([
      undefined,
      'app-2-repo',
      'app-3-repo',
      undefined,
    ]);
  });
});
