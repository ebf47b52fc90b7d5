/**
 * An OpenSSH server on 127.0.0.1 for tests: own config, generated host and user keys, a free
 * port, started and stopped by the test. `startSshServer` returns undefined when no sshd
 * binary is installed (Debian: openssh-server), so the caller can skip with a message.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface SshServer {
  readonly port: number;
  readonly user: string;
  /** Private key authorised for `user`. */
  readonly keyFile: string;
  /** known_hosts with this server's host key. */
  readonly knownHostsFile: string;
  /** `ssh://user@127.0.0.1:port/abs/path`. */
  url(absolutePath: string): string;
  stop(): Promise<void>;
}

export function findSshd(): string | undefined {
  const candidates = ['/usr/sbin/sshd', '/usr/bin/sshd', '/usr/local/sbin/sshd', '/opt/homebrew/sbin/sshd'];
  return candidates.find((path) => existsSync(path));
}

export async function generateKey(file: string): Promise<void> {
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'drawbridge-test', '-f', file]);
}

export async function startSshServer(root: string): Promise<SshServer | undefined> {
  const sshd = findSshd();
  if (sshd === undefined) return undefined;
  const dir = join(root, 'sshd');
  await mkdir(dir, { recursive: true });
  const hostKey = join(dir, 'host_key');
  const keyFile = join(dir, 'user_key');
  await Promise.all([generateKey(hostKey), generateKey(keyFile)]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${keyFile}.pub`));
  const user = userInfo().username;
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'LogLevel ERROR',
      'UseDNS no',
      // The cheapest modern key exchange keeps tests quick on a busy machine.
      'KexAlgorithms curve25519-sha256',
      '',
    ].join('\n'),
  );
  // As root, sshd insists on its privilege separation folder.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, child, () => stderr);
  const knownHostsFile = join(dir, 'known_hosts');
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  await writeFile(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);
  return {
    port,
    user,
    keyFile,
    knownHostsFile,
    url: (path) => `ssh://${user}@127.0.0.1:${port}${path}`,
    stop: () => stop(child),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop(child);
  throw new Error(`sshd did not listen on ${port}: ${stderr()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
