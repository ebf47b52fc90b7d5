import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { keyValues, parseDockerfile, stages, type Instruction } from './dockerfile-parser.js';

const root = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(text);
const [build, runtime, ...extra] = stages(instructions);
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  license: string;
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

const runs = (stage: { instructions: readonly Instruction[] } | undefined): string[] =>
  (stage?.instructions ?? []).filter((item) => item.keyword === 'RUN').map((item) => item.args);
const last = (keyword: string): Instruction | undefined =>
  runtime?.instructions.filter((item) => item.keyword === keyword).at(-1);
const env = (): Record<string, string> =>
  Object.assign(
    {},
    ...(runtime?.instructions ?? []).filter((i) => i.keyword === 'ENV').map(keyValues),
  ) as Record<string, string>;

describe('the Dockerfile parser', () => {
  it('joins continuations, skips comments inside them and reads both argument forms', () => {
    const parsed = parseDockerfile(
      [
        'FROM node:24-slim AS build',
        'RUN a \\',
        '  # a comment inside',
        '',
        '  && b',
        'ENV A=1 B="two words" \\',
        "    C='x'",
        'ENV LEGACY value with spaces',
        'CMD ["run", "--flag"]',
        'CMD run --flag',
        'COPY --from=build --chown=1:1 /a /b',
        'HEALTHCHECK --interval=5s CMD ["node", "-e", "x"]',
      ].join('\n'),
    );
    expect(parsed.map((item) => [item.keyword, item.line])).toEqual([
      ['FROM', 1],
      ['RUN', 2],
      ['ENV', 6],
      ['ENV', 8],
      ['CMD', 9],
      ['CMD', 10],
      ['COPY', 11],
      ['HEALTHCHECK', 12],
    ]);
    expect(parsed[1]?.args).toBe('a && b');
    expect(keyValues(parsed[2]!)).toEqual({ A: '1', B: 'two words', C: 'x' });
    expect(keyValues(parsed[3]!)).toEqual({ LEGACY: 'value with spaces' });
    expect(parsed[4]?.json).toEqual(['run', '--flag']);
    expect(parsed[5]?.json).toBeUndefined();
    expect(parsed[6]?.flags).toEqual({ from: 'build', chown: '1:1' });
    expect(parsed[7]?.flags).toEqual({ interval: '5s' });
    expect(parsed[7]?.json).toEqual(['node', '-e', 'x']);
    expect(stages(parsed)[0]).toMatchObject({ name: 'build', image: 'node:24-slim' });
  });

  it('honours the escape directive', () => {
    const parsed = parseDockerfile('# escape=`\nFROM scratch\nRUN a `\n  b');
    expect(parsed.map((item) => item.args)).toEqual(['scratch', 'a b']);
  });
});

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage, both on the same node:24-slim pinned by digest', () => {
    expect(extra).toEqual([]);
    expect(build?.name).toBe('build');
    expect(build?.image).toMatch(/^node:24-slim@sha256:[0-9a-f]{64}$/);
    expect(runtime?.image).toBe(build?.image);
    const digest = build?.image.split('@')[1];
    const labels = Object.assign(
      {},
      ...(runtime?.instructions ?? []).filter((i) => i.keyword === 'LABEL').map(keyValues),
    ) as Record<string, string>;
    expect(labels['org.opencontainers.image.base.name']).toBe('docker.io/library/node:24-slim');
    expect(labels['org.opencontainers.image.base.digest']).toBe(digest);
    // Says what the digest is, since when, and who keeps it current.
    const comment = text.slice(0, text.indexOf('FROM '));
    expect(comment).toMatch(/node:24\.\d+\.\d+-(bookworm|trixie)-slim/);
    expect(comment).toMatch(/\b20\d\d-\d\d-\d\d\b/);
    expect(comment).toMatch(/Renovate|Dependabot/);
  });

  it('builds with npm ci and the package build script', () => {
    const buildRuns = runs(build);
    expect(buildRuns.some((command) => /\bnpm ci\b/.test(command))).toBe(true);
    expect(buildRuns).toContain('npm run build');
    expect(packageJson.scripts['build']).toBe('tsc -p src/tsconfig.build.json');
  });

  it('installs production dependencies only, and copies dist/ and package.json', () => {
    expect(runs(runtime).some((command) => command.includes('npm ci --omit=dev --ignore-scripts'))).toBe(
      true,
    );
    const copies = runtime?.instructions.filter((item) => item.keyword === 'COPY') ?? [];
    expect(copies.some((item) => item.flags['from'] === 'build' && item.args.startsWith('/src/dist '))).toBe(
      true,
    );
    expect(copies.some((item) => item.args.split(/\s+/).includes('package.json'))).toBe(true);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignored).toContain('node_modules');
    for (const copy of instructions.filter((item) => item.keyword === 'COPY' && !item.flags['from'])) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(join(root, source)), `${source} (line ${copy.line})`).toBe(true);
        expect(ignored, source).not.toContain(source);
      }
    }
  });

  it('installs git, openssh-client and tini without recommends and cleans the lists', () => {
    const apt = runs(runtime).find((command) => command.includes('apt-get install'));
    expect(apt).toMatch(/apt-get update/);
    expect(apt).toMatch(/apt-get install -y --no-install-recommends [^&]*\bgit\b/);
    expect(apt).toMatch(/--no-install-recommends [^&]*\bopenssh-client\b/);
    expect(apt).toMatch(/--no-install-recommends [^&]*\btini\b/);
    expect(apt).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
  });

  it('runs as the non-root user 10001', () => {
    expect(runs(runtime).join('\n')).toMatch(/useradd [^&]*--uid 10001/);
    expect(last('USER')?.args).toMatch(/^10001(:10001)?$/);
    const userLine = last('USER')?.line ?? 0;
    const entrypointLine = last('ENTRYPOINT')?.line ?? 0;
    expect(userLine).toBeLessThan(entrypointLine);
  });

  it('starts drawbridge run under tini (PID 1 reaps git and ssh) through the package bin on PATH', () => {
    // Debian's tini package installs /usr/bin/tini; `--` ends tini's own options.
    expect(last('ENTRYPOINT')?.json).toEqual(['/usr/bin/tini', '--', 'drawbridge']);
    expect(last('CMD')?.json).toEqual(['run']);
    expect(packageJson.bin['drawbridge']).toBe('dist/cli/main.js');
    expect(runs(runtime).join('\n')).toMatch(
      /ln -s \/app\/dist\/cli\/main\.js \/usr\/local\/bin\/drawbridge/,
    );
    expect(readFileSync(join(root, 'src/cli/main.ts'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('checks health with node against /healthz on the default server port, without curl', () => {
    const healthcheck = last('HEALTHCHECK');
    expect(healthcheck?.json?.[0]).toBe('node');
    const port = configSchema.shape.server.parse(undefined).port;
    expect(healthcheck?.json?.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(Object.keys(healthcheck?.flags ?? {})).toEqual(
      expect.arrayContaining(['interval', 'timeout', 'start-period', 'retries']),
    );
    expect(instructions.map((item) => item.args).join('\n')).not.toMatch(/\b(curl|wget)\b/);
    expect(last('EXPOSE')?.args).toBe(String(port));
  });

  it('sets the config path and the workdir on a volume', () => {
    expect(env()).toMatchObject({
      DRAWBRIDGE_CONFIG: '/etc/drawbridge/drawbridge.yaml',
      DRAWBRIDGE_WORKDIR: '/var/lib/drawbridge',
    });
    expect(last('VOLUME')?.args).toBe('/var/lib/drawbridge');
  });

  it('carries OCI labels that agree with package.json', () => {
    const labels = Object.assign(
      {},
      ...(runtime?.instructions ?? []).filter((i) => i.keyword === 'LABEL').map(keyValues),
    ) as Record<string, string>;
    expect(labels['org.opencontainers.image.title']).toBe('drawbridge');
    expect(labels['org.opencontainers.image.licenses']).toBe(packageJson.license);
    expect(labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
    const versionArg = runtime?.instructions.find(
      (i) => i.keyword === 'ARG' && i.args.startsWith('VERSION='),
    );
    expect(versionArg && keyValues(versionArg)['VERSION']).toBe(packageJson.version);
    expect(labels['org.opencontainers.image.version']).toBe('${VERSION}');
  });
});

describe('Dockerfile lint (dockerfile-utils, when installed)', () => {
  it('has no diagnostics', async (context) => {
    const linter = await loadLinter();
    if (!linter) {
      context.skip();
      return;
    }
    const problems = linter.validate(text, {}).map((d) => `${d.range.start.line + 1}: ${d.message}`);
    expect(problems).toEqual([]);
  });
});

interface Linter {
  validate(
    content: string,
    settings: Record<string, unknown>,
  ): { message: string; range: { start: { line: number } } }[];
}

/** dockerfile-utils is an optional dev tool: the test runs it when it is there, skips otherwise. */
async function loadLinter(): Promise<Linter | undefined> {
  const name = 'dockerfile-utils';
  try {
    return (await import(name)) as Linter;
  } catch {
    return undefined;
  }
}
