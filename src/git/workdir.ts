/** Where clones live, and the folder name of one remote's clone. */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { classifyRemoteUrl } from '../config/repositories.js';
import { GitError } from '../errors.js';
import { splitCredentials } from './auth.js';

export interface WorkdirInput {
  /** git.workdir from the config, if set. */
  readonly configured?: string;
  /** The config file; a relative git.workdir is resolved from its folder. */
  readonly configFile?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly home?: string;
}

/** git.workdir, else $DRAWBRIDGE_WORKDIR, else $XDG_CACHE_HOME/drawbridge or ~/.cache/drawbridge. */
export function resolveWorkdir(input: WorkdirInput): string {
  if (input.configured !== undefined) {
    const base = input.configFile === undefined ? process.cwd() : dirname(input.configFile);
    return isAbsolute(input.configured) ? input.configured : resolve(base, input.configured);
  }
  const fromEnv = input.env['DRAWBRIDGE_WORKDIR'];
  if (fromEnv) return resolve(fromEnv);
  const cache = input.env['XDG_CACHE_HOME'] || join(input.home ?? input.env['HOME'] ?? homedir(), '.cache');
  return join(cache, 'drawbridge');
}

/** `<last path segment>-<12 hex of sha256(url without credentials)>`, stable and readable. */
export function cloneFolderName(url: string): string {
  const clean = splitCredentials(url).url.replace(/\/+$/, '');
  const hash = createHash('sha256').update(clean).digest('hex').slice(0, 12);
  const last = clean.split(/[/:\\]/).pop() ?? '';
  const name =
    last
      .replace(/\.git$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'repo';
  return `${name}-${hash}`;
}

/** A worktree folder name for a key (environment name): readable, collision-free. */
export function worktreeFolderName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  if (safe === key && !key.startsWith('.')) return key;
  return `${safe.replace(/^\./, '_')}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/**
 * A relative local path in git.url is relative to the config file's folder (else the current
 * directory); git itself would resolve it against the workdir, which is never what was meant.
 * A URL validation refuses (git://, `ext::…`, an unknown scheme, …) never reaches git: this
 * throws a GitError instead, whoever calls.
 */
export function resolveRemoteUrl(url: string, baseDir: string = process.cwd()): string {
  const remote = classifyRemoteUrl(url);
  if ('refused' in remote) {
    throw new GitError(`refusing the remote URL: ${remote.refused.message}`, { hint: remote.refused.hint });
  }
  if (remote.form !== 'path' || isAbsolute(url)) return url;
  return resolve(baseDir, url);
}
