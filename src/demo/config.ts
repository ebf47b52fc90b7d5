import type { FleetImages } from './fleet.js';

/** The demo's drawbridge.yaml: an ordinary config pointed at the emulator and the local remote. */
export function demoConfig(input: {
  remote: string;
  endpoint: string;
  images: FleetImages;
  /** The GitHub emulator's REST root: prod's changes go through pull requests there. */
  githubApi: string;
  githubRepository: string;
}): string {
  return `# Written by \`drawbridge demo\`. An ordinary config: only aws.endpoint and git.url point at this machine.
version: 1

git:
  url: ${input.remote}
  author: { name: drawbridge, email: drawbridge@demo.local }
  workdir: ./work
  # The remote is a local bare repository; its pull requests live in a GitHub emulator.
  forge:
    type: github
    apiUrl: ${input.githubApi}
    repository: ${input.githubRepository}
    tokenEnv: DRAWBRIDGE_DEMO_GITHUB_TOKEN
    paceWrites: false

aws:
  region: eu-west-1
  endpoint: ${input.endpoint}

images:
  podinfo:
    repository: ${input.images.podinfo}
  api:
    repository: ${input.images.api}
    exclude: ['^cache-']
  web:
    repository: ${input.images.web}

environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '>=6.0.0-0' }
      api: { pattern: '^main-(?<ts>\\d+)-[0-9a-f]{7}$', extract: '$ts', order: numerical }
      web: { newest: pushed }
  prod:
    branch: main
    # prod changes pass review: drawbridge pushes drawbridge/prod and opens a pull request.
    push:
      branch: drawbridge/{env}
      pullRequest: { labels: [deploy], reviewers: [alice] }
    policies:
      podinfo: { semver: '^6.0.0', minAge: 1h }
      api: { promote: { from: dev, after: 1h } }
      web: { semver: '~1.4.0', digest: true }

schedule: '*/5 * * * *'
server: { port: 0, host: 127.0.0.1 }
events:
  http: { path: /events/ecr, tokenEnv: DRAWBRIDGE_DEMO_TOKEN }
`;
}
