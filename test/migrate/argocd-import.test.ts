/**
 * `drawbridge import argocd-image-updater` (SPEC §13) from Applications written from Argo CD
 * Image Updater's documented annotations: the printed config passes `validate`;
 * `--write-markers` adds the markers byte-exact (a kustomization's newTag, Helm values keys,
 * CRLF kept) and is idempotent; and with the repository, `scan --dry-run` proposes the tags
 * Image Updater would have picked (Masterminds `~1.2` and `2.x-0` with allow-tags and
 * ignore-tags, newest-build, alphabetical, digest) from a real registry.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';

const env = isolatedGitEnv();
const A = 'argocd-image-updater.argoproj.io';

function applications(url: string, host: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  annotations:
    ${A}/image-list: gb=${host}/acme/guestbook:~1.2
    ${A}/gb.kustomize.image-name: acme/guestbook
    ${A}/write-back-method: git
    ${A}/write-back-target: kustomization
    ${A}/git-branch: 'main:image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}'
spec:
  project: default
  source: { repoURL: '${url}', targetRevision: main, path: apps/guestbook }
  destination: { server: 'https://kubernetes.default.svc', namespace: guestbook }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: dex
  namespace: argocd
  annotations:
    ${A}/image-list: 'dex=${host}/dexidp/dex:2.x-0, edge=${host}/acme/edge:latest'
    ${A}/dex.helm.image-name: dex.image.name
    ${A}/dex.helm.image-tag: dex.image.tag
    ${A}/dex.allow-tags: 'regexp:^v?[0-9]+\\.[0-9]+\\.[0-9]+(-rc\\.[0-9]+)?$'
    ${A}/dex.ignore-tags: '*-debug, 2.0.?'
    ${A}/dex.platforms: linux/amd64
    ${A}/edge.update-strategy: digest
    ${A}/edge.helm.image-spec: edge.image
    ${A}/write-back-method: 'git:secret:argocd/git-creds'
    ${A}/write-back-target: 'helmvalues:/helm/dex/values.yaml'
    ${A}/git-branch: main
spec:
  source: { repoURL: '${url}', targetRevision: HEAD, path: helm/dex }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: batch
  namespace: argocd
  annotations:
    ${A}/image-list: 'worker=${host}/acme/worker, reports=${host}/acme/reports'
    ${A}/worker.update-strategy: newest-build
    ${A}/worker.allow-tags: 'regexp:^[a-z][0-9]$'
    ${A}/reports.update-strategy: alphabetical
    ${A}/reports.allow-tags: 'regexp:^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
    ${A}/reports.pull-secret: 'pullsecret:argocd/regcred'
    ${A}/write-back-method: git
    ${A}/write-back-target: 'kustomization:../base'
spec:
  source: { repoURL: '${url}', targetRevision: main, path: batch/prod }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: legacy
  namespace: argocd
  annotations:
    ${A}/image-list: '${host}/legacy/edge:1.x'
spec:
  source: { repoURL: '${url}', targetRevision: main, path: legacy }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-image-updater-config, namespace: argocd }
data:
  git.user: image-bot
  git.email: image-bot@example.test
  registries.conf: |
    registries:
      - name: Local
        prefix: ${host}
        api_url: http://${host}
        credentials: secret:argocd/local-registry#creds
        default: true
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: unmanaged, namespace: argocd }
spec:
  source: { repoURL: '${url}', targetRevision: main, path: other }
`;
}

const repository = (host: string): Record<string, string> => ({
  'apps/guestbook/kustomization.yaml': `resources:
  - deployment.yaml
images:
  - name: acme/guestbook
    newName: ${host}/acme/guestbook
    newTag: 1.2.0
`,
  'apps/guestbook/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: guestbook }
spec:
  template:
    spec:
      containers:
        - { name: guestbook, image: acme/guestbook }
`,
  'helm/dex/values.yaml': `dex:\r\n  image:\r\n    name: ${host}/dexidp/dex\r\n    tag: "2.0.0"  \r\nedge:\r\n  image: ${host}/acme/edge:latest\r\n`,
  'batch/base/kustomization.yaml': `images:
- name: ${host}/acme/worker
  newTag: a1
- name: ${host}/acme/reports
  newTag: 2025-12-31 # the month's end
- { name: other, newTag: "1" }
`,
  'batch/prod/kustomization.yaml': 'resources: [../base]\n',
  'legacy/app.yaml': `image: ${host}/legacy/edge:1.2.0\n`,
});

const marked = (host: string): Record<string, string> => ({
  ...repository(host),
  'apps/guestbook/kustomization.yaml': repository(host)['apps/guestbook/kustomization.yaml']!.replace(
    'newTag: 1.2.0',
    'newTag: 1.2.0 # {"$imagepolicy": "gb:tag"}',
  ),
  'helm/dex/values.yaml': `dex:\r\n  image:\r\n    name: ${host}/dexidp/dex # {"$imagepolicy": "dex:name"}\r\n    tag: "2.0.0"  # {"$imagepolicy": "dex:tag"}\r\nedge:\r\n  image: ${host}/acme/edge:latest # {"$imagepolicy": "edge"}\r\n`,
  'batch/base/kustomization.yaml': repository(host)['batch/base/kustomization.yaml']!.replace(
    'newTag: a1',
    'newTag: a1 # {"$imagepolicy": "worker:tag"}',
  ),
});

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function readTree(root: string, paths: readonly string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of paths) files[path] = await readFile(join(root, path), 'utf8');
  return files;
}

describe.runIf(registryInstalled())('drawbridge import argocd-image-updater', () => {
  let registry: TestRegistry;
  let remote: TestRemote;
  let dir: string;
  let checkout: string;
  const day = (n: number): Date => new Date(Date.UTC(2026, 10, n));

  beforeAll(async () => {
    registry = await startTestRegistry();
    for (const tag of ['1.2.0', '1.2.5', '1.2.6-rc.1', '1.3.0']) await registry.push('acme/guestbook', tag);
    for (const tag of ['2.0.0', '2.0.1', '2.1.0-rc.1', '2.1.0-debug', '3.0.0'])
      await registry.push('dexidp/dex', tag);
    await registry.push('acme/edge', 'latest');
    for (const tag of ['1.2.0', '1.3.0', '2.0.0']) await registry.push('legacy/edge', tag);
    await registry.pushTags('acme/worker', [
      { tag: 'a1', created: day(1) },
      { tag: 'b2', created: day(20) },
      { tag: 'c3', created: day(10) },
      { tag: 'latest', created: day(25) },
    ]);
    for (const tag of ['2025-12-31', '2026-02-01', '2026-01-05', 'latest'])
      await registry.push('acme/reports', tag);
    remote = await createTestRemote();
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-import-argo-'));
    checkout = join(dir, 'checkout');
    await writeTree(checkout, repository(registry.host));
    await writeFile(join(dir, 'apps.yaml'), applications(remote.url, registry.host));
  }, 60_000);

  afterAll(async () => {
    await registry?.close();
    await remote?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the config and writes the markers byte-exact, once', async () => {
    const io = captureIO({ env, cwd: dir });
    const code = await runCli(
      ['import', 'argocd-image-updater', 'apps.yaml', '--write-markers', 'checkout'],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(io.err()).toBe(
      'read 6 objects: 6 images, 4 environments; wrote 5 markers in 3 files (0 there already), 11 notes to read\n',
    );
    const config = io.out();
    expect(config.replaceAll(registry.host, 'HOST').replaceAll(remote.url, 'URL')).toBe(
      [
        '# drawbridge.yaml imported from Argo CD Image Updater by `drawbridge import argocd-image-updater`: 6 images, 4 environments.',
        '# Read every NOTE before `drawbridge validate`, then `drawbridge scan --dry-run --explain`.',
        '# 1 objects without Image Updater annotations were not read.',
        'version: 1',
        'git:',
        '  # NOTE: Image Updater also took tags like 1.2 (read as 1.2.0) for semver; drawbridge takes X.Y.Z[-pre] only (see the dialect table under Policies in the README)',
        "  # NOTE: newest-build read each image config's build date; newest: pushed reads the push time from ECR (imagePushedAt) and the creation time from other registries",
        '  url: "URL"',
        '  author: { name: "image-bot", email: "image-bot@example.test" }',
        'registries:',
        '  # NOTE: Image Updater read HOST with credentials secret: give drawbridge usernameEnv and passwordEnv here, or a Docker config',
        '  "HOST": { insecure: true }',
        'images:',
        '  gb:',
        '    repository: "HOST/acme/guestbook"',
        '  dex:',
        '    repository: "HOST/dexidp/dex"',
        '  edge:',
        '    repository: "HOST/acme/edge"',
        '  worker:',
        '    repository: "HOST/acme/worker"',
        '  # NOTE: Image Updater read it with pullsecret credentials: give drawbridge them under registries.HOST (usernameEnv, passwordEnv) or a Docker config; ECR needs none (the AWS chain)',
        '  reports:',
        '    repository: "HOST/acme/reports"',
        '  legacy-edge:',
        '    repository: "HOST/legacy/edge"',
        'environments:',
        '  # NOTE: its branch template image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}} names each change; drawbridge pushes one branch for the environment (image-updater-{env}), rebuilt as newer tags come; for a branch and pull request per image, set git.forge and push: { branch: "image-updater-{image}", pullRequest: {} }',
        '  # NOTE: Image Updater pushed to a branch of its own: with git.forge and push.pullRequest drawbridge opens the pull request too (see Pull requests)',
        '  guestbook:',
        '    branch: "main"',
        '    paths: ["apps/guestbook"]',
        '    push: { branch: "image-updater-{env}" }',
        '    policies:',
        '      gb: { semver: "~1.2" }',
        '  # NOTE: Image Updater pushed with the credentials in argocd/git-creds: give drawbridge Git credentials (git.auth) — see Authentication',
        '  dex:',
        '    branch: "main"',
        '    paths: ["helm/dex"]',
        '    policies:',
        '      # NOTE: dex was limited to platforms linux/amd64: drawbridge does not filter by platform; check the chosen tags carry them',
        '      dex: { semver: "2.x-0", pattern: "^v?[0-9]+\\\\.[0-9]+\\\\.[0-9]+(-rc\\\\.[0-9]+)?$", exclude: ["^[^/]*-debug$", "^2\\\\.0\\\\.[^/]$"] }',
        '      edge: { order: "alphabetical", pattern: "^latest$", digest: true }',
        '  # NOTE: no tag marker for reports in batch/base/kustomization.yaml: its line has a comment already; add the marker by hand',
        '  batch:',
        '    branch: "main"',
        '    paths: ["batch/prod", "batch/base"]',
        '    policies:',
        '      worker: { newest: "pushed", pattern: "^[a-z][0-9]$" }',
        '      reports: { order: "alphabetical", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }',
        '  # NOTE: Image Updater wrote parameter overrides into the Application through the Argo CD API (write-back-method argocd); drawbridge commits to Git: move the image into the manifests at the marked places (--write-markers) and remove the overrides',
        '  # NOTE: Image Updater wrote .argocd-source-legacy.yaml (its default write-back target), which drawbridge does not write: mark the image in the manifests (write-back-target kustomization or helmvalues, then --write-markers)',
        '  legacy:',
        '    branch: "main"',
        '    paths: ["legacy"]',
        '    policies:',
        '      legacy-edge: { semver: "1.x" }',
        '',
      ].join('\n'),
    );
    const paths = Object.keys(repository(registry.host));
    expect(await readTree(checkout, paths)).toEqual(marked(registry.host));

    // Again: nothing added, nothing changed, the markers counted as there.
    const again = captureIO({ env, cwd: dir });
    await runCli(['import', 'argocd-image-updater', 'apps.yaml', '--write-markers', 'checkout'], again);
    expect(again.err()).toContain('wrote 0 markers in 0 files (5 there already)');
    expect(await readTree(checkout, paths)).toEqual(marked(registry.host));
    await writeFile(join(dir, 'drawbridge.yaml'), config);
  });

  it('passes validate and proposes the tags Image Updater would have picked', async () => {
    const files = await readTree(checkout, Object.keys(repository(registry.host)));
    // The legacy app's manifest is marked by hand, as its note says.
    files['legacy/app.yaml'] = files['legacy/app.yaml']!.replace(
      '\n',
      ' # {"$imagepolicy": "legacy-edge"}\n',
    );
    await remote.commit('main', files);
    const validate = captureIO({ env, cwd: dir });
    expect(await runCli(['validate', '--config', 'drawbridge.yaml'], validate), validate.err()).toBe(0);
    expect(validate.out()).toContain('markers: 6 markers in 4 files across 4 environments');

    const io = captureIO({ env, cwd: dir });
    expect(await runCli(['scan', '--config', 'drawbridge.yaml', '--dry-run'], io), io.err()).toBe(0);
    const out = io.out();
    expect(out).toContain('gb  1.2.0 → 1.2.5');
    expect(out).toContain('dex  2.0.0 → 2.1.0-rc.1');
    // digest: the followed tag stays, pinned to what it points at now.
    expect(out).toContain('edge  latest → latest');
    expect(out).toMatch(/^\+ {2}image: \S+\/acme\/edge:latest@sha256:[0-9a-f]{64} # /m);
    expect(out).toContain('worker  a1 → b2');
    expect(out).toContain('legacy-edge  1.2.0 → 1.3.0');
    // reports has no marker (its line has a comment already), so nothing proposes it.
    expect(out).not.toContain('reports  ');
  });
});
