/**
 * The demo's fleet repository: a few services with Deployment, kustomization and Helm-values
 * markers, on a `dev` and a `main` branch, pushed to a local bare remote.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface FleetImages {
  /** Image key → repository URI. */
  readonly podinfo: string;
  readonly api: string;
  readonly web: string;
}

export interface FleetVersions {
  readonly podinfo: string;
  readonly api: string;
  readonly web: string;
}

export function fleetFiles(images: FleetImages, versions: FleetVersions): Record<string, string> {
  return {
    'README.md': '# fleet\n\nManifests deployed by Flux; image tags are kept current by drawbridge.\n',
    'apps/podinfo/deployment.yaml': `---
# podinfo: the frontend
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  labels: { app: podinfo }
spec:
  replicas: 2
  selector:
    matchLabels: { app: podinfo }
  template:
    metadata:
      labels: { app: podinfo }
    spec:
      containers:
        - name: podinfo
          image: ${images.podinfo}:${versions.podinfo} # {"$imagepolicy": "flux-system:podinfo"}
          ports:
            - containerPort: 9898   # http
`,
    'apps/api/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: api
    newName: ${images.api} # {"$imagepolicy": "api:name"}
    newTag: ${versions.api} # {"$imagepolicy": "api:tag"}
`,
    'apps/api/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: { app: api }
  template:
    metadata:
      labels: { app: api }
    spec:
      containers:
        - name: api
          image: api
`,
    'apps/web/values.yaml': `# Helm values for the web chart
replicaCount: 1
image:
  repository: ${images.web}  # {"$imagepolicy": "web:name"}
  tag: "${versions.web}"  # {"$imagepolicy": "web:tag"}
  pullPolicy: IfNotPresent
`,
  };
}

export interface SeedOptions {
  readonly remote: string;
  readonly scratch: string;
  readonly images: FleetImages;
  readonly branches: Readonly<Record<string, FleetVersions>>;
  readonly author: { readonly name: string; readonly email: string };
  readonly env: NodeJS.ProcessEnv;
}

/** Creates the bare remote and pushes one commit per branch, as a person would. */
export async function seedFleet(options: SeedOptions): Promise<void> {
  const git = (cwd: string, args: string[]) => exec('git', args, { cwd, env: options.env });
  await mkdir(options.remote, { recursive: true });
  await git(options.remote, ['init', '--quiet', '--bare', '--initial-branch=main']);
  for (const [branch, versions] of Object.entries(options.branches)) {
    const dir = join(options.scratch, branch);
    await mkdir(dir, { recursive: true });
    await git(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
    for (const [path, text] of Object.entries(fleetFiles(options.images, versions))) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await git(dir, ['add', '.']);
    await git(dir, [
      '-c',
      `user.name=${options.author.name}`,
      '-c',
      `user.email=${options.author.email}`,
      'commit',
      '--quiet',
      '-m',
      `fleet: ${branch} environment`,
    ]);
    await git(dir, ['push', '--quiet', options.remote, `${branch}:${branch}`]);
  }
}
