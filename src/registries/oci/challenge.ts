/**
 * The `WWW-Authenticate` challenge a registry answers 401 with (RFC 7235; the Distribution
 * token spec): `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
 * scope="repository:library/nginx:pull"` or `Basic realm="…"`. Read by hand, one pass over
 * at most MAX_CHALLENGE characters, so a hostile header costs linear time and no regex.
 */

export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  readonly scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

const MAX_CHALLENGE = 4096;
const MAX_PARAMS = 16;

/** The first challenge of the header; undefined when it is missing or cannot be read. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header || header.length > MAX_CHALLENGE) return undefined;
  let i = 0;
  const skipSpace = (): void => {
    while (i < header.length && (header[i] === ' ' || header[i] === '\t')) i += 1;
  };
  const token = (): string => {
    const start = i;
    while (i < header.length && isTokenChar(header.charCodeAt(i))) i += 1;
    return header.slice(start, i);
  };
  skipSpace();
  const scheme = token().toLowerCase();
  if (scheme === '') return undefined;
  const params = new Map<string, string>();
  for (;;) {
    skipSpace();
    if (i >= header.length) break;
    const name = token().toLowerCase();
    skipSpace();
    if (name === '' || header[i] !== '=') break;
    i += 1;
    skipSpace();
    let value: string;
    if (header[i] === '"') {
      i += 1;
      let text = '';
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < header.length) i += 1;
        text += header[i];
        i += 1;
      }
      if (i >= header.length) return undefined;
      i += 1;
      value = text;
    } else value = token();
    params.set(name, value);
    if (params.size > MAX_PARAMS) return undefined;
    skipSpace();
    // A comma separates parameters; another challenge after it starts without `=` and ends this one.
    if (header[i] === ',') i += 1;
    else break;
  }
  return { scheme, params };
}

/** RFC 7230 tchar, plus `/` and `:` for unquoted scope and realm values some registries send. */
function isTokenChar(code: number): boolean {
  if (code >= 0x30 && code <= 0x39) return true;
  if (code >= 0x41 && code <= 0x5a) return true;
  if (code >= 0x61 && code <= 0x7a) return true;
  return "!#$%&'*+-.^_`|~/:".includes(String.fromCharCode(code));
}
