import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../src/git/workspace.js';
import { silentLogger } from '../../src/log/logger.js';
import { createTestRemote, git, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { generateKey } from '../helpers/sshd.js';

function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // ssh-keygen prints usage and exits 1 when present; ENOENT when absent.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

describe.skipIf(!hasSshKeygen())('commit signing with an ssh key', () => {
  let remote: TestRemote;
  beforeAll(async () => {
    remote = await createTestRemote({ main: { 'app.yaml': 'tag: 1\n' } });
  });
  afterAll(() => remote.cleanup());

  it('signs the commit with gpg.format ssh, verifiable with an allowed-signers file', async () => {
    const key = join(remote.root, 'signing_key');
    await generateKey(key);
    const workspace = await openWorkspace({
      url: remote.url,
      workdir: remote.workdir,
      author: { name: 'drawbridge', email: 'bot@drawbridge.test' },
      signing: { format: 'ssh', key },
      env: isolatedGitEnv(),
      logger: silentLogger(),
    });
    const checkout = await workspace.checkout('main', 'prod');
    await writeFile(join(checkout.dir, 'app.yaml'), 'tag: 2\n');
    const sha = await workspace.commit(checkout, 'signed deploy');
    await workspace.push(checkout, { branch: 'main', expected: checkout.head });
    await workspace.close();

    expect(await git(remote.bare, ['cat-file', 'commit', sha!])).toContain('-----BEGIN SSH SIGNATURE-----');
    const signers = join(remote.root, 'allowed_signers');
    await writeFile(signers, `bot@drawbridge.test ${(await readFile(`${key}.pub`, 'utf8')).trim()}\n`);
    const verified = git(remote.bare, ['-c', `gpg.ssh.allowedSignersFile=${signers}`, 'verify-commit', sha!]);
    await expect(verified).resolves.toBeDefined();
  });
});
