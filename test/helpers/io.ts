import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO whose output the test can read back. */
export function captureIO(overrides: Partial<CliIO> = {}): CliIO & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        into.push(chunk.toString());
        callback();
      },
    });
  return {
    stdout: sink(out),
    stderr: sink(err),
    env: {},
    cwd: process.cwd(),
    ...overrides,
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** A writable that keeps what it is given, for loggers under test. */
export function memoryStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}
