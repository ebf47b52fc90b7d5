import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { openWorkspace, type Workspace } from '../../src/git/workspace.js';
import { createMarkedFilesIndex } from '../../src/reconcile/marked-files.js';
import { createTestRemote, git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const MARKED = 'image: repo/podinfo:1.0.0 # {"$imagepolicy": "podinfo"}\n';

describe('marked files index over a real clone', () => {
  let remote: TestRemote;
  let workspace: Workspace;
  let commands: string[];

  beforeEach(async () => {
    commands = [];
    remote = await createTestRemote({
      dev: {
        'apps/podinfo.yaml': MARKED,
        'apps/plain.yaml': 'image: nginx:1.27\n',
        'infra/web.yaml': MARKED.replace('podinfo', 'web'),
      },
    });
    workspace = await openWorkspace({
      url: remote.url,
      workdir: remote.workdir,
      author: { name: 'bot', email: 'bot@drawbridge.test' },
      env: isolatedGitEnv(),
      logger: silentLogger(),
      onCommand: (command) => commands.push(command),
    });
  });
  afterEach(async () => {
    await workspace.close();
    await remote.cleanup();
  });

  it('asks git once per commit and paths, and carries the answer to drawbridge’s own commit', async () => {
    const index = createMarkedFilesIndex(workspace);
    const head = (await workspace.remoteHead('dev'))!;
    commands = [];
    expect((await index.find(head, undefined))?.sort()).toEqual(['apps/podinfo.yaml', 'infra/web.yaml']);
    expect(await index.find(head, ['apps'])).toEqual(['apps/podinfo.yaml']);
    expect(await index.find(head, undefined)).toHaveLength(2);
    expect(commands.filter((c) => c === 'grep')).toHaveLength(2);

    index.carry(head, 'f'.repeat(40), undefined);
    commands = [];
    expect(await index.find('f'.repeat(40), undefined)).toHaveLength(2);
    expect(commands).toEqual([]);
  });

  it('walks (undefined) when the tree has a symlink; [] when nothing matches; failures are asked again', async () => {
    const index = createMarkedFilesIndex(workspace);
    const plain = await remote.commit('dev', {
      'apps/podinfo.yaml': 'image: x:1\n',
      'infra/web.yaml': 'y: 1\n',
    });
    await workspace.fetch();
    expect(await index.find(plain, undefined)).toEqual([]);

    await remote.withClone('dev', async (dir) => {
      await symlink('podinfo.yaml', join(dir, 'apps', 'link.yaml'));
      await git(dir, ['add', '--all']);
      await git(dir, ['commit', '--quiet', '-m', 'link']);
    });
    await workspace.fetch();
    expect(await index.find((await workspace.remoteHead('dev'))!, undefined)).toBeUndefined();

    const missing = '0123456789abcdef0123456789abcdef01234567';
    commands = [];
    expect(await index.find(missing, undefined)).toBeUndefined();
    expect(await index.find(missing, undefined)).toBeUndefined();
    expect(commands.filter((c) => c === 'ls-tree')).toHaveLength(2);
  });
});
