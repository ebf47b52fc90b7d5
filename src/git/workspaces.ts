/**
 * The workspaces of every repository in the config (SPEC §9), one per remote, each opened
 * (cloned, or its cache clone checked) on first use. A repository that cannot be opened
 * fails only its own callers, and is tried again on the next call: an unreachable remote at
 * start-up is a failed reconciliation to retry, not a process that cannot start.
 */
import { resolve } from 'node:path';
import type { RepositoryConfig } from '../config/repositories.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import { splitCredentials } from './auth.js';
import type { GitSpawner } from './launcher.js';
import { resolveRemoteUrl, resolveWorkdir } from './workdir.js';
import { openWorkspace, type Workspace, type WorkspaceOptions } from './workspace.js';

export interface Workspaces {
  /** Names of the repositories, `default` first. */
  readonly names: readonly string[];
  /** The repository's remote without credentials, for logs and notifications. */
  remote(name: string): string;
  /** The repository's workspace, opened on first use; a failure is not remembered. */
  get(name: string): Promise<Workspace>;
  /** The workspace if it is open already (without opening it). */
  opened(name: string): Workspace | undefined;
  close(): Promise<void>;
}

export interface WorkspacesOptions {
  readonly repositories: readonly RepositoryConfig[];
  /** The config file's folder: relative URLs, workdirs and key files resolve from here. */
  readonly baseDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock?: () => Date;
  readonly onCommand?: (command: string) => void;
  /** Where git processes start; default this process. */
  readonly spawner?: GitSpawner;
  /** Every clone fetches, reads and writes the statuses recorded in Git (events.statuses). */
  readonly statusNotes?: boolean;
  /** Opens one workspace; default openWorkspace (tests may count or delay it). */
  readonly open?: (options: WorkspaceOptions) => Promise<Workspace>;
}

export function createWorkspaces(options: WorkspacesOptions): Workspaces {
  const open = options.open ?? openWorkspace;
  const byName = new Map(options.repositories.map((repository) => [repository.name, repository]));
  const pending = new Map<string, Promise<Workspace>>();
  const ready = new Map<string, Workspace>();
  let closed = false;

  const settings = (name: string): RepositoryConfig => {
    const repository = byName.get(name);
    if (repository === undefined) throw new Error(`unknown repository ${name}`);
    return repository;
  };

  return {
    names: options.repositories.map((repository) => repository.name),
    remote: (name) => splitCredentials(resolveRemoteUrl(settings(name).url, options.baseDir)).url,
    opened: (name) => ready.get(name),
    get(name) {
      const known = pending.get(name);
      if (known) return known;
      const repository = settings(name);
      const opening = (async () => {
        if (closed) throw new Error('the workspaces are closed');
        const workspace = await open(workspaceOptions(repository, options));
        ready.set(name, workspace);
        return workspace;
      })();
      pending.set(name, opening);
      opening.catch(() => {
        if (pending.get(name) === opening) pending.delete(name);
      });
      return opening;
    },
    async close() {
      closed = true;
      const all = await Promise.allSettled(pending.values());
      for (const settled of all) if (settled.status === 'fulfilled') await settled.value.close();
    },
  };
}

/** What openWorkspace needs for one repository, with paths resolved from the config's folder. */
export function workspaceOptions(
  repository: RepositoryConfig,
  options: Pick<
    WorkspacesOptions,
    'baseDir' | 'env' | 'logger' | 'redactor' | 'clock' | 'onCommand' | 'spawner' | 'statusNotes'
  >,
): WorkspaceOptions {
  const { auth } = repository;
  return {
    url: resolveRemoteUrl(repository.url, options.baseDir),
    workdir: resolveWorkdir({
      ...(repository.workdir === undefined
        ? {}
        : { configured: resolve(options.baseDir, repository.workdir) }),
      env: options.env,
    }),
    author: repository.author,
    ...(auth
      ? {
          auth: {
            ...auth,
            ...(auth.sshKeyFile ? { sshKeyFile: resolve(options.baseDir, auth.sshKeyFile) } : {}),
            ...(auth.knownHostsFile ? { knownHostsFile: resolve(options.baseDir, auth.knownHostsFile) } : {}),
          },
        }
      : {}),
    ...(repository.signing ? { signing: repository.signing } : {}),
    env: options.env,
    logger: options.logger.child({ repository: repository.name }),
    redactor: options.redactor,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onCommand ? { onCommand: options.onCommand } : {}),
    ...(options.spawner ? { spawner: options.spawner } : {}),
    ...(options.statusNotes ? { statusNotes: true } : {}),
  };
}
