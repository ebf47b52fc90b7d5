import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';

/** Lines 1–8 of most cases; a case's environments start on line 9. */
export const HEAD = [
  'version: 1',
  'git: { url: file:///srv/fleet.git }',
  'images:',
  '  podinfo:',
  '    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo',
  '  api:',
  '    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api',
  'environments:',
].join('\n');

export function withHead(...lines: string[]): string {
  return `${HEAD}\n${lines.join('\n')}\n`;
}

/** The issues parseConfig reports for `text`; fails the test when it accepts it. */
export function issuesOf(text: string, file = '/conf/drawbridge.yaml'): readonly ConfigIssue[] {
  try {
    parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

export interface CapturedIO extends CliIO {
  out(): string;
  err(): string;
}

export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIO {
  const sink = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    return { stream, text: () => chunks.join('') };
  };
  const stdout = sink();
  const stderr = sink();
  return { stdout: stdout.stream, stderr: stderr.stream, env, cwd, out: stdout.text, err: stderr.text };
}

/** [line, column, dotted path, exact message, a piece of the hint] */
export type Expected = readonly [number, number, string, string, string?];

export interface ErrorCase {
  readonly name: string;
  readonly text: string;
  readonly issues: readonly Expected[];
}

/** The issues of `text`, in file order, are exactly `expected`. */
export function expectIssues(text: string, expected: readonly Expected[]): void {
  const found = issuesOf(text);
  const shown = found.map((issue) => [issue.line, issue.column, issue.path, issue.message, issue.hint]);
  expect(shown).toHaveLength(expected.length);
  expected.forEach(([line, column, path, message, hint], index) => {
    const actual = found[index];
    expect(actual, JSON.stringify(shown)).toMatchObject({
      file: '/conf/drawbridge.yaml',
      line,
      column,
      path,
      message,
    });
    if (hint !== undefined) expect(actual?.hint).toContain(hint);
  });
}

/** A policy block for environment `dev` on branch `dev`; its policy lines start on line 12. */
export const dev = (...policies: string[]) => ['  dev:', '    branch: dev', '    policies:', ...policies];

export const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
