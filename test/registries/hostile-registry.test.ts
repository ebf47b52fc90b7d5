/**
 * A hostile registry through the CLI: the emulator answers DescribeImages with tags outside
 * the OCI grammar, digests drawbridge would never write and images of other repositories
 * (EcrStore.pushUnchecked). `drawbridge scan` must reject each as an ordinary rejection, choose
 * the valid newer tag, change only the marked scalar and write exactly its own trailers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseTrailers } from '../../src/git/trailers.js';
import { printable } from '../../src/log/printable.js';
import { TAG_KEPT_LENGTH } from '../../src/registries/ecr/listing.js';
import { isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { deployment, startFleet, writeConfigFile, type Fleet } from '../helpers/fleet.js';
import { HOSTILE_TAGS } from './hostile-tags.js';

const DAY = 86_400_000;
/** What a listing keeps of each hostile tag (the 5,000-character one is cut, invalid either way). */
const KEPT = HOSTILE_TAGS.map(([, tag]) => tag.slice(0, TAG_KEPT_LENGTH));
const OLD = new Date(Date.now() - 3 * DAY);
const trailerLines = (message: string): string[] =>
  message.split('\n').filter((line) => /^\s*drawbridge-/i.test(line));

let fleet: Fleet;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  fleet = await startFleet({});
  env = isolatedGitEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });
});

afterEach(async () => {
  await fleet.close();
});

/** One repository: valid 1.0.0 and 1.0.1, every hostile tag, bad digests and foreign images above them. */
function seedHostile(name: string, at: Date = OLD): string {
  const ecr = fleet.emulator.ecr;
  const uri = ecr.createRepository(name);
  ecr.pushImage({ repository: name, tags: ['1.0.0'], pushedAt: at });
  ecr.pushImage({ repository: name, tags: ['1.0.1'], pushedAt: new Date(at.getTime() + 1000) });
  for (const [, tag] of HOSTILE_TAGS) ecr.pushUnchecked({ repository: name, tags: [tag], pushedAt: at });
  // Valid, newer tags on images whose answer is not to be trusted: never candidates.
  ecr.pushUnchecked({ repository: name, tags: ['1.0.2'], digest: 'sha256:abc', pushedAt: at });
  ecr.pushUnchecked({ repository: name, tags: ['1.0.3'], digest: `sha256:${'A'.repeat(64)}`, pushedAt: at });
  ecr.pushUnchecked({
    repository: name,
    tags: ['1.0.4'],
    digest: `sha256:${'b'.repeat(64)}\n`,
    pushedAt: at,
  });
  ecr.pushUnchecked({ repository: name, tags: ['1.0.5'], answeredRepositoryName: 'other', pushedAt: at });
  ecr.pushUnchecked({
    repository: name,
    tags: ['1.0.6'],
    answeredRepositoryName: `${name}\nx`,
    pushedAt: at,
  });
  return uri;
}

describe('drawbridge scan against a hostile registry', () => {
  it('rejects every hostile tag as invalid-tag, skips untrusted images, commits 1.0.1 with exactly its trailers', async () => {
    const uri = seedHostile('podinfo');
    const manifest = deployment('podinfo', `${uri}:1.0.0`);
    await fleet.remote.commit('dev', {
      'apps/podinfo.yaml': manifest,
      'apps/other.yaml': 'kind: ConfigMap\n',
    });
    const file = await writeConfigFile(
      fleet,
      `images:
  podinfo: { repository: ${uri} }
environments:
  dev:
    branch: dev
    policies:
      podinfo: { semver: '>=1.0.0-0' }
`,
    );
    const before = await fleet.remote.head('dev');

    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--explain'], io)).toBe(0);
    const out = io.out();
    expect(out).toContain('choice: 1.0.1');
    for (const tag of KEPT) expect(out).toContain(`rejected ${printable(tag, 80)}: invalid-tag (`);
    expect(out.match(/: invalid-tag \(/g)).toHaveLength(HOSTILE_TAGS.length);
    // Untrusted images never became candidates, so not even a rejection names their tags.
    for (const tag of ['1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6']) expect(out).not.toContain(tag);
    // Nothing from the registry started a line or carried a control character.
    expect(out).not.toMatch(/[\0\r\u2028]/);
    expect(out.split('\n').some((line) => /^\s*Drawbridge-/.test(line))).toBe(false);
    expect(Math.max(...out.split('\n').map((line) => line.length))).toBeLessThan(400);
    expect(io.err()).not.toMatch(/ERR_INVALID_ARG_VALUE/);

    const log = await fleet.remote.log('dev');
    expect(log[1]?.sha).toBe(before);
    const message = log[0]!.message;
    expect(trailerLines(message)).toHaveLength(2);
    const trailers = parseTrailers(message);
    expect(trailers.refused).toBeUndefined();
    expect(trailers).toMatchObject({
      environment: 'dev',
      updates: [{ image: 'podinfo', old: '1.0.0', new: '1.0.1' }],
    });
    expect(trailers.updates[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Only the marked scalar changed.
    expect(await fleet.remote.readFile('dev', 'apps/podinfo.yaml')).toBe(
      manifest.replace(':1.0.0 #', ':1.0.1 #'),
    );
    expect(await fleet.remote.readFile('dev', 'apps/other.yaml')).toBe('kind: ConfigMap\n');

    // Idempotent: the second pass commits nothing.
    const again = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file], again)).toBe(0);
    expect(await fleet.remote.head('dev')).toBe(log[0]!.sha);
  });

  it('--json keeps hostile tags as escaped data and exits 0', async () => {
    const uri = seedHostile('podinfo');
    await fleet.remote.commit('dev', { 'apps/podinfo.yaml': deployment('podinfo', `${uri}:1.0.0`) });
    const file = await writeConfigFile(
      fleet,
      `images:
  podinfo: { repository: ${uri} }
environments:
  dev: { branch: dev, policies: { podinfo: { semver: '^1.0.0' } } }
`,
    );
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--json', '--dry-run'], io)).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as {
      images: { next: string; rejected: { tag: string; reason: string }[] }[];
    };
    expect(result.images[0]?.next).toBe('1.0.1');
    const invalid = result.images[0]?.rejected.filter((r) => r.reason === 'invalid-tag').map((r) => r.tag);
    expect(new Set(invalid)).toEqual(new Set(KEPT));
  });

  it('a fleet of images, each with hostile tags: one commit, one valid trailer per image', async () => {
    const count = 30;
    const files: Record<string, string> = {};
    const images: string[] = [];
    const policies: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const name = `app-${i}`;
      const uri = seedHostile(name);
      files[`apps/${name}.yaml`] = deployment(name, `${uri}:1.0.0`);
      images.push(`  ${name}: { repository: ${uri} }`);
      policies.push(`      ${name}: { semver: '^1.0.0' }`);
    }
    await fleet.remote.commit('dev', files);
    const file = await writeConfigFile(
      fleet,
      `images:\n${images.join('\n')}\nenvironments:\n  dev:\n    branch: dev\n    policies:\n${policies.join('\n')}\n`,
    );
    const io = captureIO({ env, cwd: fleet.remote.root });
    expect(await runCli(['scan', '--config', file, '--explain'], io)).toBe(0);
    expect(io.out().match(/: invalid-tag \(/g)).toHaveLength(count * HOSTILE_TAGS.length);

    const log = await fleet.remote.log('dev');
    expect(log).toHaveLength(2);
    const message = log[0]!.message;
    expect(trailerLines(message)).toHaveLength(count + 1);
    const trailers = parseTrailers(message);
    expect(trailers.refused).toBeUndefined();
    expect(trailers.updates).toHaveLength(count);
    expect(new Set(trailers.updates.map((u) => `${u.old}->${u.new}`))).toEqual(new Set(['1.0.0->1.0.1']));
    for (let i = 0; i < count; i += 1) {
      expect(await fleet.remote.readFile('dev', `apps/app-${i}.yaml`)).toBe(
        files[`apps/app-${i}.yaml`]!.replace(':1.0.0 #', ':1.0.1 #'),
      );
    }
  }, 30_000);
});
