import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/git/history.js';
import { writeHold } from '../../src/git/hold.js';
import { HOLDS_FILE, parseHolds } from '../../src/git/holds.js';
import { parseTrailers } from '../../src/git/message.js';
import { openWorkspace, type Workspace } from '../../src/git/workspace.js';
import { silentLogger } from '../../src/log/logger.js';
import { isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { createHoldRemote, type HoldRemote } from '../helpers/hold-remote.js';

describe('drawbridge hold / release', () => {
  let remote: TestRemote;
  let holdRemote: HoldRemote;
  const cli = (...args: string[]) => holdRemote.cli('alice', ...args);
  const open = async (): Promise<Workspace> => {
    const workspace = await openWorkspace({
      url: remote.url,
      workdir: join(remote.root, 'reader'),
      author: { name: 'reader', email: 'reader@test' },
      env: isolatedGitEnv(),
      logger: silentLogger(),
    });
    await workspace.fetch();
    return workspace;
  };

  beforeAll(async () => {
    holdRemote = await createHoldRemote();
    ({ remote } = holdRemote);
  });
  afterAll(() => remote.cleanup());

  it('holds, reports an unchanged hold, shows it in history, and releases', async () => {
    const held = await cli('hold', 'prod', 'podinfo', '--reason', 'incident 4711');
    expect(held).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^held podinfo in prod: commit [0-9a-f]{12} on main/),
    });
    const [commit] = await remote.log('main');
    expect(commit).toMatchObject({ authorName: 'drawbridge', committerEmail: 'drawbridge@acme.test' });
    expect(parseTrailers(commit!.message)).toMatchObject({ environment: 'prod', hold: 'podinfo' });
    const entry = parseHolds(await remote.readFile('main', HOLDS_FILE))
      .get('prod')
      ?.get('podinfo');
    expect(entry).toMatchObject({ reason: 'incident 4711', by: 'alice' });

    expect(await cli('hold', 'prod', 'podinfo', '--reason', 'incident 4711')).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        /^podinfo in prod is already held by alice since \S+: incident 4711; nothing to commit\n$/,
      ),
    });

    const workspace = await open();
    const history = await readHistory(workspace, 'main', { environment: 'prod', depth: 20 });
    expect(history.holds.get('podinfo')).toMatchObject({
      image: 'podinfo',
      reason: 'incident 4711',
      by: 'alice',
      commit: commit!.sha,
    });
    expect((await readHistory(workspace, 'main', { environment: 'dev', depth: 20 })).holds.size).toBe(0);

    expect((await cli('release', 'prod', 'podinfo')).out).toMatch(/^released podinfo in prod/);
    expect(await remote.readFile('main', HOLDS_FILE)).toBeUndefined();
    expect(parseTrailers((await remote.log('main'))[0]!.message)).toMatchObject({ release: 'podinfo' });
    await workspace.fetch();
    expect((await readHistory(workspace, 'main', { environment: 'prod', depth: 20 })).holds.size).toBe(0);
    expect((await cli('release', 'prod', 'podinfo')).out).toBe(
      'podinfo in prod is not held; nothing to commit\n',
    );
    await workspace.close();
  });

  it('exits 2 naming the known environments and images', async () => {
    const env = await cli('hold', 'staging', 'podinfo');
    expect(env.code).toBe(2);
    expect(env.err).toContain('known environments: prod');
    const image = await cli('release', 'prod', 'nginx');
    expect(image.code).toBe(2);
    expect(image.err).toContain('images of prod: podinfo, api');
  });

  it('retries when someone pushes in between and keeps their commit', async () => {
    const workspace = await open();
    let raced = false;
    const racing: Workspace = {
      ...workspace,
      push: async (checkout, target) => {
        if (!raced) {
          raced = true;
          await remote.commit('main', { 'clusters/prod/app.yaml': 'a: 2\n' }, { message: 'person edit' });
        }
        return workspace.push(checkout, target);
      },
    };
    const outcome = await writeHold(racing, {
      environment: 'prod',
      branch: 'main',
      image: 'api',
      hold: true,
      by: 'bob',
      at: new Date('2026-01-01T00:00:00Z'),
      attempts: 3,
      logger: silentLogger(),
      sleep: async () => undefined,
    });
    expect(outcome).toMatchObject({ status: 'committed', attempts: 2 });
    const [ours, theirs] = await remote.log('main');
    expect(ours!.sha).toBe(outcome.commit);
    expect(theirs!.subject).toBe('person edit');
    expect(await remote.readFile('main', 'clusters/prod/app.yaml')).toBe('a: 2\n');
    await workspace.close();
  });
});
