import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { authEnvironment, remoteKind, splitCredentials } from '../../src/git/auth.js';
import { cloneFolderName, resolveRemoteUrl, resolveWorkdir } from '../../src/git/workdir.js';
import { openWorkspace, type WorkspaceOptions } from '../../src/git/workspace.js';
import { createLogger } from '../../src/log/logger.js';
import { Redactor } from '../../src/log/redact.js';
import { basicAuth, startGitHttpServer, type GitHttpServer } from '../helpers/git-http.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';

const TOKEN = 'ghs_writeTokenValue1234567890';
const READ_ONLY = 'ghs_readOnlyTokenValue0987654321';

async function allText(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    if ((await stat(path)).isFile()) text += await readFile(path, 'latin1');
  }
  return text;
}

describe('remote URLs', () => {
  it.each([
    ['https://github.com/acme/fleet.git', 'http'],
    ['ssh://git@github.com:22/acme/fleet.git', 'ssh'],
    ['git@github.com:acme/fleet.git', 'ssh'],
    ['file:///srv/fleet.git', 'file'],
    ['/srv/fleet.git', 'file'],
    ['./fleet', 'file'],
  ])('%s is %s', (url, kind) => {
    expect(remoteKind(url)).toBe(kind);
  });

  it('names clone folders by URL without credentials and resolves workdir and relative paths', () => {
    const name = cloneFolderName('https://bot:secret-1@git.example/acme/fleet.git');
    expect(name).toMatch(/^fleet-[0-9a-f]{12}$/);
    expect(cloneFolderName('https://git.example/acme/fleet.git')).toBe(name);
    expect(cloneFolderName('git@git.example:acme/fleet.git')).not.toBe(name);
    expect(resolveRemoteUrl('../fleet.git', '/etc/drawbridge')).toBe('/etc/fleet.git');
    expect(resolveRemoteUrl('git@host:fleet.git', '/x')).toBe('git@host:fleet.git');
    expect(resolveWorkdir({ env: {}, home: '/home/u' })).toBe('/home/u/.cache/drawbridge');
    expect(resolveWorkdir({ env: { XDG_CACHE_HOME: '/c' } })).toBe('/c/drawbridge');
    expect(resolveWorkdir({ env: { DRAWBRIDGE_WORKDIR: '/var/db' } })).toBe('/var/db');
    expect(resolveWorkdir({ configured: 'cache', configFile: '/etc/d/drawbridge.yaml', env: {} })).toBe(
      '/etc/d/cache',
    );
  });

  it('takes a password out of the URL and sends it as a scoped header', () => {
    expect(splitCredentials('https://bot:s3cr3t-value@git.example/acme/fleet.git')).toEqual({
      url: 'https://git.example/acme/fleet.git',
      username: 'bot',
      password: 's3cr3t-value',
    });
    const redactor = new Redactor();
    const env = authEnvironment({
      url: 'https://bot:s3cr3t-value@git.example/a.git',
      env: { GIT_CONFIG_COUNT: '1' },
      redactor,
    });
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_1: 'http.https://git.example/.extraHeader',
      GIT_CONFIG_VALUE_1: basicAuth('bot', 's3cr3t-value').replace('Basic', 'Authorization: Basic'),
    });
    expect(redactor.redact(`x ${basicAuth('bot', 's3cr3t-value')} s3cr3t-value`)).toBe('x Basic *** ***');
  });

  it('builds GIT_SSH_COMMAND from the deploy key and known_hosts', () => {
    const env = authEnvironment({
      url: 'git@github.com:acme/fleet.git',
      auth: {
        sshKeyFile: '/keys/deploy key',
        knownHostsFile: '/keys/known_hosts',
        strictHostKeyChecking: true,
        username: 'x',
      },
      env: {},
      redactor: new Redactor(),
    });
    expect(env['GIT_SSH_COMMAND']).toBe(
      "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i '/keys/deploy key' -o IdentitiesOnly=yes -o UserKnownHostsFile=/keys/known_hosts",
    );
  });

  it('fails clearly when tokenEnv names an unset variable', () => {
    expect(() =>
      authEnvironment({
        url: 'https://git.example/a.git',
        auth: { tokenEnv: 'FLEET_TOKEN', strictHostKeyChecking: true, username: 'x-access-token' },
        env: {},
        redactor: new Redactor(),
      }),
    ).toThrow(/FLEET_TOKEN/);
  });
});

describe('HTTPS token auth against a local smart-HTTP server', () => {
  let remote: TestRemote;
  let server: GitHttpServer;
  beforeAll(async () => {
    remote = await createTestRemote({ main: { 'app.yaml': 'tag: 1\n' } });
    server = await startGitHttpServer({
      projectRoot: remote.root,
      allow: (authorization, service) =>
        authorization === basicAuth('x-access-token', TOKEN) ||
        (service === 'upload' && authorization === basicAuth('x-access-token', READ_ONLY)),
    });
  });
  afterAll(async () => {
    await server.close();
    await remote.cleanup();
  });

  const options = (token: string, workdir: string, logs: string[]): WorkspaceOptions => {
    const redactor = new Redactor();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    });
    return {
      url: `${server.baseUrl}remote.git`,
      workdir: join(remote.root, workdir),
      author: { name: 'drawbridge', email: 'bot@test' },
      auth: { tokenEnv: 'FLEET_TOKEN', strictHostKeyChecking: true, username: 'x-access-token' },
      env: isolatedGitEnv({ FLEET_TOKEN: token }),
      logger: createLogger({ level: 'trace', destination, redactor }),
      redactor,
    };
  };

  it('clones and pushes with the token, which never reaches .git/config, the workdir or logs', async () => {
    const logs: string[] = [];
    const workspace = await openWorkspace(options(TOKEN, 'ok', logs));
    const checkout = await workspace.checkout('main', 'prod');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(checkout.dir, 'app.yaml'), 'tag: 2\n');
    await workspace.commit(checkout, 'deploy');
    expect(await workspace.push(checkout, { branch: 'main', expected: checkout.head })).toBe('pushed');
    await workspace.close();
    expect(await remote.readFile('main', 'app.yaml')).toBe('tag: 2\n');
    expect(server.authorizations).toContain(basicAuth('x-access-token', TOKEN));

    const config = await readFile(join(workspace.dir, '.git', 'config'), 'utf8');
    expect(config).toContain(`url = ${server.baseUrl}remote.git`);
    const everything = (await allText(join(remote.root, 'ok'))) + logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [TOKEN, basicAuth('x-access-token', TOKEN).slice(6)])
      expect(everything).not.toContain(secret);
  });

  it('a push refused for a read-only token is an auth GitError without the token', async () => {
    const logs: string[] = [];
    const workspace = await openWorkspace(options(READ_ONLY, 'readonly', logs));
    const checkout = await workspace.checkout('main', 'prod');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(checkout.dir, 'app.yaml'), 'tag: 3\n');
    await workspace.commit(checkout, 'deploy');
    const error = await workspace
      .push(checkout, { branch: 'main', expected: checkout.head })
      .catch((e: unknown) => e);
    await workspace.close();
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).hint).toMatch(/token/);
    const everything = `${(error as GitError).message} ${JSON.stringify((error as GitError).context)} ${logs.join('')} ${await allText(join(remote.root, 'readonly'))}`;
    for (const secret of [READ_ONLY, basicAuth('x-access-token', READ_ONLY).slice(6)])
      expect(everything).not.toContain(secret);
  });

  it('a token embedded in the URL is moved to a header and stays out of .git/config', async () => {
    const logs: string[] = [];
    const base = options(TOKEN, 'inline', logs);
    const url = `${server.baseUrl.replace('http://', `http://x-access-token:${TOKEN}@`)}remote.git`;
    const workspace = await openWorkspace({ ...base, url, auth: undefined, env: isolatedGitEnv() });
    expect(workspace.url).toBe(`${server.baseUrl}remote.git`);
    await workspace.fetch();
    await workspace.close();
    expect(await allText(join(remote.root, 'inline'))).not.toContain(TOKEN);
  });
});
