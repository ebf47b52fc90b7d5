import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { captureIO, withHead } from './helpers.js';

/** Billion laughs: each line nine times the one before; yaml gives up on line 14, at `e.0`. */
const BOMB = withHead(
  '  dev: { branch: dev, policies: { api: { newest: pushed } } }',
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drawbridge-aliases-'));
  await writeFile(join(dir, 'drawbridge.yaml'), BOMB);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('an alias bomb', () => {
  it('is a ConfigError at the alias yaml refused to expand, with a hint', async () => {
    const file = join(dir, 'drawbridge.yaml');
    const error: unknown = await loadConfig({ env: {}, cwd: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`${file} is not a valid drawbridge config (1 problem)`);
    expect((error as ConfigError).issues).toEqual([
      {
        file,
        line: 14,
        column: 8,
        path: 'e.0',
        message: 'aliases expand to more than 1000 nodes',
        hint: 'write the values out instead of nesting anchors and aliases',
      },
    ]);
  });

  it('exits 2 in validate with file:line:column and the hint', async () => {
    const io = captureIO(dir);
    expect(await runCli(['validate', '--no-markers'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      [
        'drawbridge.yaml is not a valid drawbridge config (1 problem)',
        '  drawbridge.yaml:14:8  e.0: aliases expand to more than 1000 nodes',
        '      hint: write the values out instead of nesting anchors and aliases',
        '',
      ].join('\n'),
    );
  });

  it('is found inside a nested mapping too, at its path', () => {
    const text = withHead(
      '  dev: { branch: dev, policies: { api: { newest: pushed } } }',
      'x:',
      '  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      '  d:',
      '    deep: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    );
    let caught: unknown;
    try {
      parseConfig(text, '/conf/drawbridge.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const [issue, ...more] = (caught as ConfigError).issues;
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ message: 'aliases expand to more than 1000 nodes' });
    expect(issue?.path).toMatch(/^x\.d\.deep\.\d+$/);
    expect(issue?.line).toBe(15);
  });

  it('leaves ordinary anchors and aliases alone', () => {
    const text = withHead(
      '  dev: { branch: dev, policies: { api: &newest { newest: pushed }, podinfo: *newest } }',
      '  prod: { branch: main, policies: { api: *newest, podinfo: *newest } }',
    );
    const { config } = parseConfig(text, '/conf/drawbridge.yaml');
    expect(config.environments['prod']?.policies['podinfo']).toMatchObject({ newest: 'pushed' });
  });
});
