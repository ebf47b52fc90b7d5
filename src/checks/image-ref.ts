/**
 * An image repository reference (SPEC §12), read and normalised as Docker reads it: `nginx` is
 * `docker.io/library/nginx`, `acme/api` is `docker.io/acme/api`, and a first part with a dot,
 * a colon or named `localhost` is a registry host (`ghcr.io/acme/api`, `127.0.0.1:5000/api`,
 * `localhost/api`). `index.docker.io` is `docker.io`, whose API lives at
 * `registry-1.docker.io`. Only a repository: a tag or a digest here is refused, since markers
 * and policies choose those.
 *
 * Grammar (the Distribution project's): path components are lower-case alphanumerics joined
 * by `.`, `_`, `__` or runs of `-`; a host is DNS labels (or an IPv4 address, or `[IPv6]`)
 * with an optional port; the whole name is at most 255 characters. Checked by hand, without
 * backtracking regexes, so any input is judged in time linear in its length.
 */

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API answers. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
export const NAME_MAX_LENGTH = 255;

export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly host: string;
  /** `library/nginx`, `acme/api`. */
  readonly path: string;
  /** `host/path`: the normalised name. */
  readonly name: string;
  /** The host the registry API answers on (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
}

export type ParsedReference = { readonly reference: ImageReference } | { readonly problem: string };

export function parseImageReference(text: string): ParsedReference {
  if (text.length === 0) return { problem: 'empty' };
  if (text.length > NAME_MAX_LENGTH + 100)
    return { problem: `${text.length} characters, at most ${NAME_MAX_LENGTH}` };
  if (text.includes('@'))
    return { problem: 'names a digest: give the repository only (markers choose the image)' };
  const slash = text.indexOf('/');
  const first = slash < 0 ? text : text.slice(0, slash);
  const isHost =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let host = isHost ? first : DOCKER_HUB;
  let path = isHost ? text.slice(slash + 1) : text;
  if (host === 'index.docker.io') host = DOCKER_HUB;
  if (isHost) {
    const problem = hostProblem(host);
    if (problem !== undefined) return { problem };
  }
  const lastColon = path.lastIndexOf(':');
  if (lastColon >= 0) return { problem: 'names a tag: give the repository only (policies choose the tag)' };
  if (host === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  const problem = pathProblem(path);
  if (problem !== undefined) return { problem };
  const name = `${host}/${path}`;
  if (name.length > NAME_MAX_LENGTH)
    return { problem: `${name.length} characters once normalised, at most ${NAME_MAX_LENGTH}` };
  return { reference: { host, path, name, apiHost: host === DOCKER_HUB ? DOCKER_HUB_API : host } };
}

function pathProblem(path: string): string | undefined {
  if (path === '') return 'no repository path after the host';
  for (const component of path.split('/')) {
    if (component === '') return 'an empty path component (`//` or a trailing `/`)';
    const problem = componentProblem(component);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** alpha-numeric (separator alpha-numeric)*, separator = `.` | `_` | `__` | `-`+. */
function componentProblem(component: string): string | undefined {
  if (component !== component.toLowerCase())
    return `path component \`${shown(component)}\` has upper-case letters`;
  if (!isLowerAlnum(component.charCodeAt(0)) || !isLowerAlnum(component.charCodeAt(component.length - 1)))
    return `path component \`${shown(component)}\` must start and end with a lower-case letter or digit`;
  for (let i = 0; i < component.length; i += 1) {
    const code = component.charCodeAt(i);
    if (isLowerAlnum(code)) continue;
    if (code === 0x2e /* . */) {
      if (!isLowerAlnum(component.charCodeAt(i + 1)))
        return `\`${shown(component)}\`: \`.\` must be followed by a letter or digit`;
    } else if (code === 0x5f /* _ */) {
      const next = component.charCodeAt(i + 1) === 0x5f ? i + 2 : i + 1;
      if (!isLowerAlnum(component.charCodeAt(next)))
        return `\`${shown(component)}\`: \`_\` or \`__\` must be followed by a letter or digit`;
      i = next - 1;
    } else if (code === 0x2d /* - */) {
      let next = i + 1;
      while (component.charCodeAt(next) === 0x2d) next += 1;
      if (!isLowerAlnum(component.charCodeAt(next)))
        return `\`${shown(component)}\`: \`-\` must be followed by a letter or digit`;
      i = next - 1;
    } else
      return `path component \`${shown(component)}\` holds a character outside a-z, 0-9, \`.\`, \`_\` and \`-\``;
  }
  return undefined;
}

/** `name[:port]`, `a.b.c[:port]`, `1.2.3.4[:port]`, `[v6][:port]`. */
/** Why `host` is not a registry host (DNS name, IPv4 or [IPv6], optional port); undefined when it is. */
export function hostProblem(host: string): string | undefined {
  let name = host;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return `host \`${shown(host)}\`: an IPv6 address needs its closing \`]\``;
    const inner = host.slice(1, end);
    if (inner === '' || !/^[0-9A-Fa-f:.]+$/.test(inner))
      return `host \`${shown(host)}\` is not an IPv6 address`;
    const rest = host.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':'))
      return `host \`${shown(host)}\`: only a port may follow the address`;
    port = rest === '' ? undefined : rest.slice(1);
    name = '';
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) {
      name = host.slice(0, colon);
      port = host.slice(colon + 1);
    }
  }
  if (port !== undefined && !/^\d{1,5}$/.test(port))
    return `host \`${shown(host)}\`: the port is not a number`;
  if (port !== undefined && Number(port) > 65_535) return `host \`${shown(host)}\`: port above 65535`;
  if (name === '') return host.startsWith('[') ? undefined : `host \`${shown(host)}\` has no name`;
  for (const label of name.split('.')) {
    if (label === '' || label.length > 63) return `host \`${shown(host)}\` has an empty or over-long label`;
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label))
      return `host \`${shown(host)}\` holds a character outside letters, digits, \`-\` and \`.\``;
  }
  return undefined;
}

function isLowerAlnum(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

/** Quoted text stays printable and short: anything else is shown as `?`. */
function shown(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return clipped.replace(/[^\x21-\x7e]/g, '?');
}
