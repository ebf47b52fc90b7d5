import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIO } from '../helpers/io.js';

describe('drawbridge demo', () => {
  it('runs the whole loop on this machine and ends by itself with exit 0', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drawbridge-demo-test-'));
    try {
      const io = captureIO({ env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
      expect(await runCli(['demo', '--dir', dir], io)).toBe(0);
      const out = io.out();
      // prod passes review: a pull request opened with labels and reviewers, merged, nothing left open.
      expect(out).toMatch(/prod passes review: pull request #1 from drawbridge\/prod into main/);
      expect(out).toMatch(/^ +http:\/\/127\.0\.0\.1:\d+\/acme\/fleet\/pull\/1$/m);
      expect(out).toContain('title: deploy(prod): podinfo 6.0.0 → 6.0.1, web 1.4.0 → 1.4.2');
      expect(out).toContain('labels: deploy · reviewers: alice');
      expect(out).toMatch(/\| \[podinfo\]\(https:\/\/\S+\) \| 6\.0\.0 \| 6\.0\.1 \|/);
      expect(out).toMatch(/Merge pull request #1 from acme\/drawbridge\/prod/);
      expect(out).toContain('open pull requests: 0');
      expect(out).toContain('deploy(dev): podinfo 6.0.1 → 6.1.0');
      expect(out).toMatch(/POST \/events\/ecr podinfo:6\.1\.0 → 202/);
      expect(out).toContain('Drawbridge-Update: podinfo 6.0.1 -> 6.1.0 sha256:');
      expect(out).toContain('+          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo:6.1.0');
      expect(out).toContain('dev still runs 6.0.1: the reverted tag is not re-applied');
      expect(out).toContain('rejected 6.1.0: reverted');
      expect(out).toMatch(/dev\s+podinfo\s+6\.1\.1\s+6\.1\.1/);
      expect(await readFile(join(dir, 'drawbridge.yaml'), 'utf8')).toContain('version: 1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
