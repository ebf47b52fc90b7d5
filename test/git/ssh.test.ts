import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { openWorkspace, type WorkspaceOptions } from '../../src/git/workspace.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { findSshd, startSshServer, type SshServer } from '../helpers/sshd.js';

const sshd = findSshd();
if (sshd === undefined) {
  console.warn('skipping git-over-SSH tests: no sshd binary (apt-get install openssh-server)');
}

describe.skipIf(sshd === undefined)('git over SSH through a local sshd', () => {
  let remote: TestRemote;
  let server: SshServer;
  beforeAll(async () => {
    remote = await createTestRemote({ main: { 'app.yaml': 'tag: 1\n' } });
    const started = await startSshServer(remote.root);
    if (started === undefined) throw new Error('sshd vanished');
    server = started;
  });
  afterAll(async () => {
    await server?.stop();
    await remote?.cleanup();
  });

  const base = (workdir: string): WorkspaceOptions => ({
    url: server.url(remote.bare),
    workdir: join(remote.root, workdir),
    author: { name: 'drawbridge', email: 'bot@test' },
    env: isolatedGitEnv(),
    logger: silentLogger(),
  });

  it('clones, commits and pushes with a deploy key and strict host checking', async () => {
    const workspace = await openWorkspace({
      ...base('key'),
      auth: {
        sshKeyFile: server.keyFile,
        knownHostsFile: server.knownHostsFile,
        strictHostKeyChecking: true,
        username: 'x',
      },
    });
    const checkout = await workspace.checkout('main', 'prod');
    await writeFile(join(checkout.dir, 'app.yaml'), 'tag: 2\n');
    const sha = await workspace.commit(checkout, 'deploy over ssh');
    expect(await workspace.push(checkout, { branch: 'main', expected: checkout.head })).toBe('pushed');
    await workspace.close();
    expect(await remote.head('main')).toBe(sha);
  });

  it('refuses an unknown host key with a hint, and accepts a new one when told to', async () => {
    const empty = join(remote.root, 'empty_known_hosts');
    await writeFile(empty, '');
    const auth = {
      sshKeyFile: server.keyFile,
      knownHostsFile: empty,
      strictHostKeyChecking: true,
      username: 'x',
    };
    const error = await openWorkspace({ ...base('strict'), auth }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).hint).toMatch(/knownHostsFile/);

    const workspace = await openWorkspace({
      ...base('accept'),
      auth: { ...auth, strictHostKeyChecking: false },
    });
    await workspace.close();
    expect(await readFile(empty, 'utf8')).toContain('ssh-ed25519');
  });

  it('uses ambient ssh settings with an scp-like URL', async () => {
    const command = `ssh -p ${server.port} -i ${server.keyFile} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${server.knownHostsFile}`;
    const workspace = await openWorkspace({
      ...base('ambient'),
      url: `${server.user}@127.0.0.1:${remote.bare}`,
      env: isolatedGitEnv({ GIT_SSH_COMMAND: command }),
    });
    expect(await workspace.remoteHead('main')).toBe(await remote.head('main'));
    await workspace.close();
  });
});
