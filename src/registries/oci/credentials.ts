/**
 * Where a registry's credentials come from (SPEC §12), first that has some:
 * 1. `registries.<host>` in the config: a user and password (or access token) from env, or a
 *    bearer token from env sent as is;
 * 2. the Docker config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): a
 *    credential helper for the host (`credHelpers`), else `auths` (`auth`, `identitytoken`),
 *    else the default store (`credsStore`);
 * 3. none: anonymous, which most public registries serve through the token flow.
 * Docker Hub is named `https://index.docker.io/v1/` in Docker's config, `docker.io` in ours.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryConfig } from '../../config/schema.js';
import { RegistryError } from '../../errors.js';

export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string; readonly from: string }
  /** Sent as `Authorization: Bearer`, never exchanged. */
  | { readonly kind: 'token'; readonly token: string; readonly from: string }
  /** A refresh token (Docker's identitytoken), exchanged at the token server (POST, OAuth2). */
  | { readonly kind: 'identity'; readonly token: string; readonly from: string }
  | { readonly kind: 'anonymous'; readonly from: 'anonymous' };

export const ANONYMOUS: RegistryCredentials = { kind: 'anonymous', from: 'anonymous' };

const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];
/** docker-credential-<name>: the names Docker's helpers take. */
const HELPER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HELPER_TIMEOUT_MS = 15_000;
const MAX_CONFIG_BYTES = 1 << 20;

export interface CredentialsOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The home folder whose `.docker/config.json` is read without DOCKER_CONFIG; default os.homedir(). */
  readonly home?: string;
  /** Runs a credential helper; default execFile of docker-credential-<name> on the PATH. */
  readonly runHelper?: (name: string, serverUrl: string) => Promise<string>;
}

/** Looks a host's credentials up (once per host: the caller caches). Throws RegistryError. */
export async function credentialsFor(
  host: string,
  entry: RegistryConfig | undefined,
  options: CredentialsOptions,
): Promise<RegistryCredentials> {
  const { env } = options;
  if (entry?.tokenEnv !== undefined) {
    return { kind: 'token', token: required(env, entry.tokenEnv, host), from: `registries.${host}.tokenEnv` };
  }
  if (entry?.usernameEnv !== undefined && entry.passwordEnv !== undefined) {
    return {
      kind: 'basic',
      username: required(env, entry.usernameEnv, host),
      password: required(env, entry.passwordEnv, host),
      from: `registries.${host}`,
    };
  }
  const file = join(env['DOCKER_CONFIG'] ?? join(options.home ?? homedir(), '.docker'), 'config.json');
  const config = await readDockerConfig(file);
  if (config === undefined) return ANONYMOUS;
  const keys = host === 'docker.io' ? DOCKER_HUB_KEYS : [host, `https://${host}`, `http://${host}`];
  const runHelper = options.runHelper ?? runCredentialHelper;
  const helpers = asRecord(config['credHelpers']);
  for (const key of keys) {
    const helper = helpers?.[key];
    if (typeof helper === 'string') return fromHelper(helper, key, host, file, runHelper);
  }
  const auths = asRecord(config['auths']);
  for (const key of keys) {
    const auth = asRecord(auths?.[key]);
    if (auth === undefined) continue;
    const identity = auth['identitytoken'];
    if (typeof identity === 'string' && identity !== '')
      return { kind: 'identity', token: identity, from: `${file} auths.${key}` };
    const encoded = auth['auth'];
    if (typeof encoded === 'string' && encoded !== '') {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0)
        return {
          kind: 'basic',
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          from: `${file} auths.${key}`,
        };
    }
    // An entry with no secret of its own is the store's: fall through to credsStore.
  }
  const store = config['credsStore'];
  if (typeof store === 'string' && store !== '') {
    return fromHelper(store, host === 'docker.io' ? DOCKER_HUB_KEYS[0]! : host, host, file, runHelper);
  }
  return ANONYMOUS;
}

function required(env: NodeJS.ProcessEnv, name: string, host: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new RegistryError(`${name} is not set, and registries.${host} reads its credentials from it`, {
      code: 'MissingCredentials',
      retryable: false,
      hint: `export ${name} in the daemon's environment (a Kubernetes secret), or remove it from registries.${host}`,
      context: { host },
    });
  return value;
}

async function readDockerConfig(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.length > MAX_CONFIG_BYTES) throw new Error(`${bytes.length} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError(`cannot read the Docker config ${file}`, {
      code: 'DockerConfig',
      retryable: false,
      hint: 'fix its permissions or size, or point DOCKER_CONFIG at another folder',
      cause: error,
    });
  }
  try {
    return asRecord(JSON.parse(text)) ?? {};
  } catch (error) {
    throw new RegistryError(`the Docker config ${file} is not JSON`, {
      code: 'DockerConfig',
      retryable: false,
      hint: 'fix the file (docker login rewrites it), or point DOCKER_CONFIG at another folder',
      cause: error,
    });
  }
}

async function fromHelper(
  name: string,
  serverUrl: string,
  host: string,
  file: string,
  runHelper: (name: string, serverUrl: string) => Promise<string>,
): Promise<RegistryCredentials> {
  if (!HELPER_NAME.test(name))
    throw new RegistryError(
      `the Docker config ${file} names credential helper \`${name.slice(0, 64)}\`, which is no helper name`,
      {
        code: 'DockerConfig',
        retryable: false,
        hint: 'helper names are lower-case letters, digits, `.`, `_` and `-` (docker-credential-<name>)',
        context: { host },
      },
    );
  let output: string;
  try {
    output = await runHelper(name, serverUrl);
  } catch (error) {
    // Helpers answer "credentials not found in native keychain" for hosts they do not hold.
    const stdout = (error as { stdout?: unknown }).stdout;
    if (typeof stdout === 'string' && /not found/i.test(stdout.slice(0, 200))) return ANONYMOUS;
    throw new RegistryError(`credential helper docker-credential-${name} failed for ${host}`, {
      code: 'CredentialHelper',
      retryable: true,
      hint: `check that docker-credential-${name} is on the PATH and can answer \`get\` for ${serverUrl}`,
      context: { host },
      cause: error,
    });
  }
  let answer: Record<string, unknown> | undefined;
  try {
    answer = asRecord(JSON.parse(output));
  } catch {
    answer = undefined;
  }
  const username = answer?.['Username'];
  const secret = answer?.['Secret'];
  if (typeof username !== 'string' || typeof secret !== 'string' || secret === '')
    throw new RegistryError(
      `credential helper docker-credential-${name} answered no credentials for ${host}`,
      {
        code: 'CredentialHelper',
        retryable: false,
        hint: 'it must print {"Username": …, "Secret": …} for `get`',
        context: { host },
      },
    );
  const from = `docker-credential-${name}`;
  // Docker's convention: the user name <token> marks an identity (refresh) token.
  if (username === '<token>') return { kind: 'identity', token: secret, from };
  return { kind: 'basic', username, password: secret, from };
}

/** The server URL goes on the helper's stdin, as Docker's protocol has it (not the command line). */
function runCredentialHelper(name: string, serverUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${name}`,
      ['get'],
      { timeout: HELPER_TIMEOUT_MS, maxBuffer: 1 << 20, encoding: 'utf8' },
      (error, stdout) => {
        const failure: Error | null = error ? Object.assign(error, { stdout }) : null;
        if (failure) reject(failure);
        else resolve(stdout);
      },
    );
    child.stdin?.end(serverUrl);
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
