/**
 * `drawbridge import flux` (SPEC §13) from Flux objects written from Flux's documented fields:
 * the printed config passes `validate`, and with the repository it came from, `scan
 * --dry-run` proposes the tags Flux would have picked (a Masterminds range, a Go named group
 * with numerical order). The same objects as `kubectl get … -o yaml` prints them (one List,
 * on stdin) give the same config.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';

const env = isolatedGitEnv();

function fluxObjects(url: string, host: string): string {
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: flux-system, namespace: flux-system }
spec:
  interval: 1m
  url: ${url}
  ref: { branch: main }
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata: { name: podinfo, namespace: flux-system }
spec:
  image: ${host}/stefanprodan/podinfo
  interval: 5m
  insecure: true
  exclusionList: ['^.*\\.sig$', '^cache-']
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata: { name: app, namespace: flux-system }
spec:
  image: ${host}/acme/app
  interval: 5m
  insecure: true
  secretRef: { name: regcred }
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: { name: podinfo, namespace: flux-system }
spec:
  imageRepositoryRef: { name: podinfo }
  policy:
    semver: { range: '>=5.0.0, <6.0.0' }
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: { name: app, namespace: flux-system }
spec:
  imageRepositoryRef: { name: app }
  filterTags:
    pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'
    extract: '$ts'
  policy:
    numerical: { order: asc }
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata: { name: flux-system, namespace: flux-system }
spec:
  interval: 30m
  sourceRef: { kind: GitRepository, name: flux-system }
  git:
    checkout: { ref: { branch: main } }
    commit:
      author: { name: fluxcdbot, email: fluxcdbot@users.noreply.github.com }
      messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}'
    push: { branch: main }
  update: { path: ./clusters/prod, strategy: Setters }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: unrelated }
data: { a: b }
`;
}

const deployment = (host: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: podinfo }
spec:
  template:
    spec:
      containers:
        - name: podinfo
          image: ${host}/stefanprodan/podinfo:5.0.3 # {"$imagepolicy": "flux-system:podinfo"}
        - name: app
          image: ${host}/acme/app:main-abc123-100 # {"$imagepolicy": "flux-system:app"}
`;

describe.runIf(registryInstalled())('drawbridge import flux', () => {
  let registry: TestRegistry;
  let remote: TestRemote;
  let dir: string;

  beforeAll(async () => {
    registry = await startTestRegistry();
    for (const tag of ['5.0.3', '5.1.0', '6.0.0', 'cache-5.2'])
      await registry.push('stefanprodan/podinfo', tag);
    for (const tag of ['main-abc123-100', 'main-def456-200', 'main-0a1b2c-150', 'latest'])
      await registry.push('acme/app', tag);
    remote = await createTestRemote({ main: { 'clusters/prod/podinfo.yaml': deployment(registry.host) } });
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-import-'));
    await writeFile(join(dir, 'flux.yaml'), fluxObjects(remote.url, registry.host));
  }, 60_000);

  afterAll(async () => {
    await registry?.close();
    await remote?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints a config validate accepts, with a note on what did not carry over', async () => {
    const io = captureIO({ env, cwd: dir });
    expect(await runCli(['import', 'flux', 'flux.yaml'], io), io.err()).toBe(0);
    const config = io.out();
    expect(config.replaceAll(registry.host, 'HOST').replaceAll(remote.url, 'URL')).toBe(
      [
        '# drawbridge.yaml imported from Flux image automation by `drawbridge import flux`: 2 images, 1 environments.',
        '# Read every NOTE before `drawbridge validate`, then `drawbridge scan --dry-run --explain`.',
        '# 1 objects of other kinds were not read.',
        'version: 1',
        'git:',
        '  url: "URL"',
        '  author: { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" }',
        'registries:',
        '  # NOTE: ImageRepository flux-system/podinfo read it over plain HTTP',
        '  "HOST": { insecure: true }',
        'images:',
        '  podinfo:',
        '    repository: "HOST/stefanprodan/podinfo"',
        '    exclude: ["^cache-"]',
        '  # NOTE: Flux read it with secret regcred: give drawbridge the credentials under registries.HOST (usernameEnv, passwordEnv) or a Docker config',
        '  app:',
        '    repository: "HOST/acme/app"',
        'environments:',
        "  # NOTE: its messageTemplate uses Go template actions, which drawbridge's {{ placeholders }} do not read; drawbridge's default message (who, what, why, trailers) is used — see the README's Commits",
        '  flux-system:',
        '    branch: "main"',
        '    paths: ["clusters/prod"]',
        '    policies:',
        '      podinfo: { semver: ">=5.0.0, <6.0.0" }',
        '      # NOTE: Flux fails the whole policy on one tag that is not a number; drawbridge skips that tag (not-numeric) and picks among the others',
        '      app: { order: "numerical", pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts" }',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'drawbridge.yaml'), config);
    const validate = captureIO({ env, cwd: dir });
    expect(await runCli(['validate', '--config', 'drawbridge.yaml'], validate), validate.err()).toBe(0);
    expect(validate.out()).toContain('markers: 2 markers in 1 file across 1 environment');
  });

  it('proposes, with the repository, the tags Flux would have picked', async () => {
    const io = captureIO({ env, cwd: dir });
    expect(await runCli(['scan', '--config', 'drawbridge.yaml', '--dry-run'], io), io.err()).toBe(0);
    expect(io.out()).toContain('podinfo  5.0.3 → 5.1.0');
    expect(io.out()).toContain('app  main-abc123-100 → main-def456-200');
  });

  it('reads the same objects as one kubectl List on standard input', async () => {
    const files = captureIO({ env, cwd: dir });
    await runCli(['import', 'flux', dir], files);
    const list = `apiVersion: v1\nkind: List\nitems:\n${fluxObjects(remote.url, registry.host)
      .split('\n---\n')
      .map((doc) => `- ${doc.trim().split('\n').join('\n  ')}`)
      .join('\n')}\n`;
    const io = { ...captureIO({ env, cwd: dir }), stdin: Readable.from([list]) };
    expect(await runCli(['import', 'flux', '-'], io)).toBe(0);
    expect(files.out()).toContain('podinfo:');
    expect(io.out()).toBe(files.out());
  });
});
