/**
 * The Git repositories of a config (SPEC §9): `git:` is the default one, named `default`;
 * `repositories:` adds more. An entry's keys left out come from `git:`, except `auth`, which
 * does only when both remotes are on the same host, so a credential never travels to a host
 * it was not meant for.
 */
import type { ForgeSettings } from '../forge.js';
import { resolveForge } from './forge-settings.js';
import type { PathIssue, PathSegment } from './issues.js';
import { entriesOf, isMapping, valueAt } from './raw.js';
import type { Config, EnvironmentConfig, ForgeConfig, GitConfig } from './schema.js';

/** The name of the `git:` repository, in `environments.<env>.repository`, logs and metrics. */
export const DEFAULT_REPOSITORY = 'default';

export interface RepositoryConfig {
  readonly name: string;
  readonly url: string;
  readonly author: GitConfig['author'];
  readonly auth?: GitConfig['auth'];
  readonly signing?: GitConfig['signing'];
  readonly messageTemplate?: string;
  readonly workdir?: string;
  readonly historyDepth: number;
  readonly pushAttempts: number;
  /** The forge for pull requests (resolved; validation saw to it that it resolves). */
  readonly forge?: ForgeSettings;
}

/**
 * A repository's `forge:`: its own, else `git:`'s when both remotes are on the same host
 * (like auth), without `repository`, which each URL says for itself.
 */
export function forgeConfigOf(
  entry: { url: string; forge?: ForgeConfig | undefined },
  git: { url: string; forge?: ForgeConfig | undefined },
): ForgeConfig | undefined {
  if (entry.forge !== undefined || entry === git) return entry.forge;
  if (git.forge === undefined || !sameHost(entry.url, git.url)) return undefined;
  const { repository: _own, ...shared } = git.forge;
  return shared;
}

function forgeSettingsOf(
  entry: { url: string; forge?: ForgeConfig | undefined },
  config: Config,
): ForgeSettings | undefined {
  const forge = forgeConfigOf(entry, config.git);
  if (forge === undefined) return undefined;
  const resolved = resolveForge(entry.url, forge, config.aws.region);
  return 'settings' in resolved ? resolved.settings : undefined;
}

/** Every repository: `default` first, then `repositories:` in file order. */
export function repositoriesOf(config: Config): RepositoryConfig[] {
  const git = config.git;
  const gitForge = forgeSettingsOf(git, config);
  const base: RepositoryConfig = {
    name: DEFAULT_REPOSITORY,
    url: git.url,
    author: git.author,
    historyDepth: git.historyDepth,
    pushAttempts: git.pushAttempts,
    ...(git.auth ? { auth: git.auth } : {}),
    ...(git.signing ? { signing: git.signing } : {}),
    ...(git.messageTemplate === undefined ? {} : { messageTemplate: git.messageTemplate }),
    ...(git.workdir === undefined ? {} : { workdir: git.workdir }),
    ...(gitForge === undefined ? {} : { forge: gitForge }),
  };
  const more = Object.entries(config.repositories ?? {}).map(([name, entry]): RepositoryConfig => {
    const auth = entry.auth ?? (sameHost(entry.url, git.url) ? git.auth : undefined);
    const signing = entry.signing ?? git.signing;
    const messageTemplate = entry.messageTemplate ?? git.messageTemplate;
    const workdir = entry.workdir ?? git.workdir;
    const forge = forgeSettingsOf(entry, config);
    return {
      name,
      url: entry.url,
      author: entry.author ?? git.author,
      historyDepth: entry.historyDepth ?? git.historyDepth,
      pushAttempts: entry.pushAttempts ?? git.pushAttempts,
      ...(auth ? { auth } : {}),
      ...(signing ? { signing } : {}),
      ...(messageTemplate === undefined ? {} : { messageTemplate }),
      ...(workdir === undefined ? {} : { workdir }),
      ...(forge === undefined ? {} : { forge }),
    };
  });
  return [base, ...more];
}

/** The repository an environment lives in. */
export function repositoryNameOf(environment: Pick<EnvironmentConfig, 'repository'>): string {
  return environment.repository ?? DEFAULT_REPOSITORY;
}

export function repositoryOf(config: Config, name: string): RepositoryConfig {
  const found = repositoriesOf(config).find((repository) => repository.name === name);
  if (found === undefined) throw new Error(`unknown repository ${name}`);
  return found;
}

/** True when the config has more than the `git:` repository (output then names repositories). */
export function hasManyRepositories(config: Config): boolean {
  return Object.keys(config.repositories ?? {}).length > 0;
}

/**
 * The host a remote lives on (lower case, with a port when given); undefined for local
 * paths and file:// URLs.
 */
export function remoteHost(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (scheme) {
    if (scheme[1]?.toLowerCase() === 'file') return undefined;
    const authority = scheme[2] ?? '';
    const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
    return host === '' ? undefined : host;
  }
  // scp-like: [user@]host:path, where host has no slash (`./a:b` and `/a:b` are paths).
  const scp = /^(?:[^@/:]+@)?([^@/:]+):(?!\/\/)/.exec(url);
  return scp?.[1]?.toLowerCase();
}

function sameHost(a: string, b: string): boolean {
  const host = remoteHost(a);
  return host !== undefined && host === remoteHost(b);
}

/**
 * The remote forms drawbridge hands to git, each read the way git itself reads it (transport.c,
 * connect.c): `https://`, `http://`, `ssh://` (and git's deprecated `git+ssh://`, `ssh+git://`),
 * scp-like `[user@]host:path`, `file:///absolute/path` and a plain local path.
 */
export type RemoteForm = 'https' | 'http' | 'ssh' | 'scp' | 'file' | 'path';

/** A URL drawbridge does not pass to git, with why and what to write instead. */
export interface RemoteRefusal {
  readonly message: string;
  readonly hint: string;
}

export type RemoteClass = { readonly form: RemoteForm } | { readonly refused: RemoteRefusal };

const SUPPORTED_FORMS =
  'https://host/path, http://host/path, ssh://[user@]host[:port]/path, [user@]host:path, file:///absolute/path or a local path';

const SCHEMES: ReadonlyMap<string, RemoteForm> = new Map([
  ['https', 'https'],
  ['http', 'http'],
  ['ssh', 'ssh'],
  ['git+ssh', 'ssh'],
  ['ssh+git', 'ssh'],
  ['file', 'file'],
]);

/** What git would do with `url`, or why drawbridge refuses it. Never throws. */
export function classifyRemoteUrl(url: string): RemoteClass {
  const refuse = (message: string, hint = `write the remote as ${SUPPORTED_FORMS}`): RemoteClass => ({
    refused: { message, hint },
  });

  // `<transport>::<address>` runs git-remote-<transport>; `ext::` and `fd::` run commands.
  const transport = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (transport) {
    const name = transport[1] ?? '';
    return refuse(
      `\`${name}::\` hands the remote to git's \`git-remote-${name}\` helper (\`<transport>::<address>\`), which may run commands`,
    );
  }

  const scheme = /^([^/]*?):\/\//.exec(url);
  if (scheme) {
    const name = scheme[1] ?? '';
    const rest = url.slice(name.length + 3);
    const form = SCHEMES.get(name);
    if (form === undefined) {
      if (SCHEMES.has(name.toLowerCase())) {
        return refuse(
          `git reads the URL scheme case-sensitively: \`${name}://\` is not \`${name.toLowerCase()}://\``,
          `write \`${name.toLowerCase()}://…\``,
        );
      }
      if (name.toLowerCase() === 'git') {
        const { host, path } = splitAuthority(rest);
        const bare = host.replace(/:\d*$/, '');
        return refuse(
          '`git://` is unauthenticated and unencrypted: anyone on the way could change what drawbridge reads and pushes',
          `use https or ssh instead, e.g. \`https://${bare}${path}\` or \`ssh://git@${bare}${path}\``,
        );
      }
      return refuse(
        /^[A-Za-z][A-Za-z0-9+.-]*$/.test(name)
          ? `\`${name}://\` is not a remote drawbridge supports`
          : `\`${name}://\` is neither a URL scheme nor a path`,
      );
    }
    if (form === 'file') {
      if (rest.startsWith('/')) return { form };
      return refuse(
        `a file:// URL needs an absolute path: git would read \`${rest}\` from its own working folder`,
        rest === ''
          ? 'write `file:///absolute/path`'
          : `write \`file:///absolute/path\`, or the path alone (\`${rest}\`) to resolve it from the config file's folder`,
      );
    }
    const { authority, host } = splitAuthority(rest);
    if (host === '') return refuse(`this ${name}:// URL names no host`, `write \`${name}://host/path\``);
    if (form === 'ssh' && (host.startsWith('-') || authority.startsWith('-'))) {
      return refuse(...optionLike(authority));
    }
    if (form !== 'ssh') {
      try {
        new URL(url);
      } catch {
        return refuse(`this is not a valid ${name}:// URL`, `write \`${name}://host/path\``);
      }
    }
    return { form };
  }

  // A Windows drive (C:\…) is a local path, not host:path.
  if (/^[a-z]:[\\/]/i.test(url)) return { form: 'path' };
  // git's own rule: a colon before the first slash makes host:path (ssh); anything else is a path.
  const colon = url.startsWith('[') ? url.indexOf(':', url.indexOf(']') + 1) : url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon < 0 || (slash >= 0 && slash < colon)) return { form: 'path' };
  const host = url.slice(url.lastIndexOf('@', colon) + 1, colon).replace(/^\[(.*)\]$/, '$1');
  if (host === '') {
    return refuse(
      'nothing before the `:` names a host, so git would read this as an ssh remote without a host',
      'write `[user@]host:path`, or `./` before a local path that holds a colon',
    );
  }
  if (host.startsWith('-') || url.startsWith('-')) return refuse(...optionLike(url.slice(0, colon)));
  return { form: 'scp' };
}

interface Authority {
  /** `[user@]host[:port]`. */
  readonly authority: string;
  /** `host[:port]`. */
  readonly host: string;
  /** From the `/` after the authority on; may be empty. */
  readonly path: string;
}

/** The parts of what follows `scheme://`. */
function splitAuthority(rest: string): Authority {
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  return {
    authority,
    host: authority.slice(authority.lastIndexOf('@') + 1),
    path: end < 0 ? '' : rest.slice(end),
  };
}

function optionLike(authority: string): [string, string] {
  return [
    `\`${authority}\` starts with \`-\`, which ssh would read as an option`,
    'write the real `[user@]host`; git refuses such a remote too',
  ];
}

/** A refusal for every `git.url` and `repositories.<name>.url` drawbridge would not hand to git. */
export function remoteUrlIssues(input: unknown): PathIssue[] {
  const urls: [PathSegment[], unknown][] = [
    [['git', 'url'], valueAt(input, ['git', 'url'])],
    ...entriesOf(valueAt(input, ['repositories'])).map(([name, entry]): [PathSegment[], unknown] => [
      ['repositories', name, 'url'],
      isMapping(entry) ? entry['url'] : undefined,
    ]),
  ];
  const issues: PathIssue[] = [];
  for (const [path, url] of urls) {
    if (typeof url !== 'string' || url === '') continue;
    const remote = classifyRemoteUrl(url);
    if ('refused' in remote) issues.push({ path, ...remote.refused });
  }
  return issues;
}
