/**
 * Credentials for git, supplied per command through the child's environment so they never
 * land in .git/config, argv or logs:
 * - ambient: whatever ssh-agent, ~/.ssh/config or a credential helper provide;
 * - SSH: GIT_SSH_COMMAND with the deploy key and known_hosts from the config;
 * - HTTPS token: an `Authorization: Basic` header through GIT_CONFIG_COUNT/KEY/VALUE, scoped
 *   to the remote's origin.
 */
import { GitError } from '../errors.js';
import type { GitConfig } from '../config/schema.js';
import type { Redactor } from '../log/redact.js';

export type RemoteKind = 'http' | 'ssh' | 'file';

const SCP_LIKE = /^(?:[^@/]+@)?[^:/]+:(?!\/\/)/;

export function remoteKind(url: string): RemoteKind {
  if (/^https?:\/\//i.test(url)) return 'http';
  if (/^(?:ssh|git\+ssh|ssh\+git):\/\//i.test(url)) return 'ssh';
  if (/^file:\/\//i.test(url)) return 'file';
  // A Windows drive (C:\…) is a local path, not host:path.
  if (SCP_LIKE.test(url) && !/^[a-z]:[\\/]/i.test(url)) return 'ssh';
  return 'file';
}

export interface SplitUrl {
  /** The URL git is given and stores: without any password. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** Takes a password out of an http(s) URL so it can travel as a header instead. */
export function splitCredentials(url: string): SplitUrl {
  if (remoteKind(url) !== 'http') return { url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (!parsed.password && !parsed.username) return { url };
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return password ? { url: parsed.toString(), username, password } : { url: parsed.toString(), username };
}

export interface AuthInput {
  readonly url: string;
  readonly auth?: GitConfig['auth'];
  /** Where tokenEnv is looked up. */
  readonly env: NodeJS.ProcessEnv;
  readonly redactor: Redactor;
}

/** Variables to add to git's environment for this remote. */
export function authEnvironment(input: AuthInput): NodeJS.ProcessEnv {
  const split = splitCredentials(input.url);
  const out: NodeJS.ProcessEnv = { GIT_TERMINAL_PROMPT: '0' };
  const kind = remoteKind(split.url);
  if (kind === 'ssh') Object.assign(out, sshEnvironment(input.auth));
  if (kind !== 'http') return out;

  const token = tokenFrom(input, split);
  if (token === undefined) return out;
  const username = split.username || input.auth?.username || 'x-access-token';
  const basic = Buffer.from(`${username}:${token}`).toString('base64');
  input.redactor.add(token);
  input.redactor.add(basic);
  return {
    ...out,
    ...appendConfig(input.env, `http.${originOf(split.url)}.extraHeader`, `Authorization: Basic ${basic}`),
  };
}

function tokenFrom(input: AuthInput, split: SplitUrl): string | undefined {
  const name = input.auth?.tokenEnv;
  if (name === undefined) return split.password;
  const value = input.env[name];
  if (value === undefined || value === '') {
    throw new GitError(`environment variable ${name} (git.auth.tokenEnv) is not set`, {
      hint: `export ${name}=<token with write access to the repository>, or remove git.auth.tokenEnv to use ambient credentials`,
    });
  }
  return value.trim();
}

function sshEnvironment(auth: GitConfig['auth']): NodeJS.ProcessEnv {
  if (auth === undefined) return {};
  const strict = auth.strictHostKeyChecking !== false;
  if (auth.sshKeyFile === undefined && auth.knownHostsFile === undefined && strict) return {};
  const parts = [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    `StrictHostKeyChecking=${strict ? 'yes' : 'accept-new'}`,
  ];
  if (auth.sshKeyFile !== undefined)
    parts.push('-i', shellQuote(auth.sshKeyFile), '-o', 'IdentitiesOnly=yes');
  if (auth.knownHostsFile !== undefined)
    parts.push('-o', shellQuote(`UserKnownHostsFile=${auth.knownHostsFile}`));
  return { GIT_SSH_COMMAND: parts.join(' '), GIT_SSH_VARIANT: 'ssh' };
}

/** Adds one `-c key=value` through the environment, after any the caller already set. */
function appendConfig(env: NodeJS.ProcessEnv, key: string, value: string): NodeJS.ProcessEnv {
  const count = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
  return {
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: key,
    [`GIT_CONFIG_VALUE_${count}`]: value,
  };
}

function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/`;
}

/** GIT_SSH_COMMAND is run by a shell. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
