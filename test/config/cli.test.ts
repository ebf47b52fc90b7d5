import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand, type MarkerCheck } from '../../src/cli/commands/validate.js';
import { runCli } from '../../src/cli/program.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { captureIO, withHead } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drawbridge-validate-'));
  await copyFile(new URL('./fixtures/spec-example.yaml', import.meta.url), join(dir, 'drawbridge.yaml'));
  await writeFile(
    join(dir, 'broken.yaml'),
    withHead(
      '  dev:',
      '    branch: dev',
      '    policies:',
      "      podinfo: { semvr: '^6.0.0' }",
      "      api: { semver: 'one' }",
    ),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('drawbridge validate', () => {
  it('exits 0 on a valid config with a short summary', async () => {
    const io = captureIO(dir);
    expect(await runCli(['validate', '--no-markers'], io)).toBe(0);
    expect(io.out()).toBe(
      [
        'drawbridge.yaml is valid: 2 environments, 2 images, 4 policies',
        '  dev   branch dev, whole branch',
        '          podinfo  semver >=6.0.0-0',
        '          api      order numerical, pattern ^main-(?<ts>\\d+)-[0-9a-f]{7}$, extract $ts',
        '  prod  branch main, pushes to drawbridge/prod, paths clusters/prod',
        '          podinfo  semver ^6.0.0, minAge 1d',
        '          api      newest pushed, minAge 2h, maxSeverity HIGH (unscanned: skip)',
        '',
      ].join('\n'),
    );
    expect(io.err()).toBe('');
  });

  it('finds the file through $DRAWBRIDGE_CONFIG and through --config', async () => {
    const byEnv = captureIO('/', { DRAWBRIDGE_CONFIG: join(dir, 'drawbridge.yaml') });
    expect(await runCli(['validate', '--no-markers'], byEnv)).toBe(0);
    const byFlag = captureIO(dir, { DRAWBRIDGE_CONFIG: 'broken.yaml' });
    expect(await runCli(['validate', '--no-markers', '--config', 'drawbridge.yaml'], byFlag)).toBe(0);
  });

  it('exits 2 and prints every error as file:line:column  path: message, with a hint', async () => {
    const io = captureIO(dir);
    expect(await runCli(['validate', '-c', 'broken.yaml'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      [
        'broken.yaml is not a valid drawbridge config (2 problems)',
        '  broken.yaml:12:18  environments.dev.policies.podinfo.semvr: unknown key `semvr`',
        '      hint: did you mean `semver`?',
        '  broken.yaml:13:22  environments.dev.policies.api.semver: `one` is not a semver range',
        "      hint: use a range such as ^1.2.0, ~1.2, >=1.0.0 <2.0.0 (or Flux's >=1.0.0, <2.0.0), or >=1.0.0-0 to include prereleases",
        '',
      ].join('\n'),
    );
  });

  it('exits 2 when the file is missing', async () => {
    const io = captureIO(dir);
    expect(await runCli(['validate', '--config', 'missing.yaml'], io)).toBe(2);
    expect(io.err()).toContain('cannot read config file missing.yaml');
    expect(io.err()).toContain('missing.yaml:1:1  no such file');
  });

  it('runs the marker step when given one, and not with --no-markers', async () => {
    const calls: string[] = [];
    const check: MarkerCheck = async (loaded) => {
      calls.push(loaded.file);
      return {
        problems: [
          {
            environment: 'prod',
            file: 'clusters/prod/app.yaml',
            line: 3,
            column: 12,
            severity: 'error',
            message: 'marker names unknown image `podinfoo`',
          },
        ],
      };
    };
    const withMarkers = captureIO(dir);
    expect(await validateCommand({ markers: true }, withMarkers, { checkMarkers: check })).toBe(2);
    expect(withMarkers.err()).toContain(
      'error: [prod] clusters/prod/app.yaml:3:12  marker names unknown image `podinfoo`',
    );
    expect(calls).toEqual([join(dir, 'drawbridge.yaml')]);

    const without = captureIO(dir);
    expect(await validateCommand({ markers: false }, without, { checkMarkers: check })).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('prints marker warnings and the marker summary but still exits 0', async () => {
    const io = captureIO(dir);
    const check: MarkerCheck = async () => ({
      problems: [
        { environment: 'dev', file: 'apps/x.yaml', severity: 'warning', message: 'file does not parse' },
      ],
      summary: '4 markers in 3 files',
    });
    expect(await validateCommand({ markers: true }, io, { checkMarkers: check })).toBe(0);
    expect(io.err()).toBe('warning: [dev] apps/x.yaml  file does not parse\n');
    expect(io.out()).toContain('markers: 4 markers in 3 files\n');
  });
});

describe('drawbridge schema', () => {
  it('prints the JSON Schema the loader is built from', async () => {
    const io = captureIO(dir);
    expect(await runCli(['schema'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual(configJsonSchema());
  });
});
