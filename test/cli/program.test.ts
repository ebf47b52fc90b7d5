import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIO } from '../helpers/io.js';

describe('command line', () => {
  it('prints help listing every command of SPEC §6 and exits 0', async () => {
    const io = captureIO();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const command of [
      'run',
      'scan',
      'validate',
      'status',
      'hold',
      'release',
      'events',
      'schema',
      'demo',
    ]) {
      expect(io.out()).toContain(`  ${command}`);
    }
  });

  it('prints the version from package.json', async () => {
    const io = captureIO();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect(await runCli(['frobnicate'], captureIO())).toBe(2);
    expect(await runCli(['scan', '--no-such-flag'], captureIO())).toBe(2);
  });

  it('exits 2 with the path when the config file is missing', async () => {
    const io = captureIO();
    expect(await runCli(['scan', '--config', '/nonexistent/drawbridge.yaml'], io)).toBe(2);
    expect(io.err()).toContain('/nonexistent/drawbridge.yaml');
  });
});
