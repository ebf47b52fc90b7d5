/** `drawbridge hold ENV IMAGE [--reason R]` and `drawbridge release ENV IMAGE`. */
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import type { GitConfig } from '../../config/schema.js';
import { UsageError } from '../../errors.js';
import { writeHold } from '../../git/hold.js';
import { HOLDS_FILE } from '../../git/holds.js';
import { resolveRemoteUrl, resolveWorkdir } from '../../git/workdir.js';
import { openWorkspace } from '../../git/workspace.js';
import { createLogger, type LogLevel } from '../../log/logger.js';
import { Redactor } from '../../log/redact.js';
import type { CliIO, ExitCode } from '../io.js';

export interface HoldOptions {
  readonly config?: string;
  readonly logLevel?: string;
  readonly env: string;
  readonly image: string;
  readonly hold: boolean;
  readonly reason?: string;
}

export async function holdCommand(options: HoldOptions, io: CliIO): Promise<ExitCode> {
  const { config, file } = await loadConfig({ path: options.config, env: io.env, cwd: io.cwd });
  const environment = config.environments[options.env];
  if (environment === undefined) {
    throw new UsageError(`unknown environment "${options.env}"`, {
      hint: `known environments: ${Object.keys(config.environments).join(', ') || '(none)'}`,
    });
  }
  const images = Object.keys(environment.policies);
  if (!images.includes(options.image)) {
    throw new UsageError(`environment "${options.env}" has no policy for image "${options.image}"`, {
      hint: `images of ${options.env}: ${images.join(', ') || '(none)'}`,
    });
  }

  const redactor = new Redactor();
  const logger = createLogger({
    level: (options.logLevel ?? 'warn') as LogLevel,
    destination: io.stderr,
    redactor,
  });
  const workspace = await openWorkspace({
    url: resolveRemoteUrl(config.git.url, dirname(file)),
    workdir: resolveWorkdir({ configured: config.git.workdir, configFile: file, env: io.env }),
    author: config.git.author,
    ...(config.git.auth ? { auth: resolveKeyPaths(config.git.auth, dirname(file)) } : {}),
    signing: config.git.signing,
    env: io.env,
    logger,
    redactor,
  });
  try {
    const outcome = await writeHold(workspace, {
      environment: options.env,
      branch: environment.branch,
      image: options.image,
      hold: options.hold,
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      by: actor(io.env),
      at: new Date(),
      attempts: config.git.pushAttempts,
      logger,
    });
    const what = `${options.image} in ${options.env}`;
    if (outcome.status === 'unchanged') {
      io.stdout.write(
        options.hold
          ? `${what} is already held with that reason; nothing to commit\n`
          : `${what} is not held; nothing to commit\n`,
      );
      return 0;
    }
    const short = outcome.commit?.slice(0, 12) ?? '';
    io.stdout.write(
      `${options.hold ? 'held' : 'released'} ${what}: commit ${short} on ${environment.branch} (${HOLDS_FILE})\n`,
    );
    return 0;
  } finally {
    await workspace.close();
  }
}

/** Key and known_hosts paths in the config are relative to the config file, as for `run` and `scan`. */
function resolveKeyPaths(
  auth: NonNullable<GitConfig['auth']>,
  baseDir: string,
): NonNullable<GitConfig['auth']> {
  return {
    ...auth,
    ...(auth.sshKeyFile ? { sshKeyFile: resolve(baseDir, auth.sshKeyFile) } : {}),
    ...(auth.knownHostsFile ? { knownHostsFile: resolve(baseDir, auth.knownHostsFile) } : {}),
  };
}

function actor(env: NodeJS.ProcessEnv): string {
  const explicit = env['DRAWBRIDGE_ACTOR'];
  if (explicit) return explicit;
  let user = env['USER'] ?? env['USERNAME'];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}
