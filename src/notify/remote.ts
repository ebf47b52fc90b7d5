/**
 * A Git remote as it may be shown to the outside world: no password, no token. HTTPS tokens
 * often travel as the user name (`https://TOKEN@host/…`), so for http(s) the whole user-info
 * goes; an SSH user (`git@host:org/repo`, `ssh://git@host/…`) names no secret and stays.
 */
import type { Redactor } from '../log/redact.js';

/** With a Redactor, its registered secrets are masked too (a token pasted into a path, say). */
export function remoteWithoutCredentials(remote: string, redactor?: Redactor): string {
  const scrubbed = stripUserInfo(remote);
  return redactor ? redactor.redact(scrubbed) : scrubbed;
}

function stripUserInfo(remote: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return remote;
  }
  const http = url.protocol === 'http:' || url.protocol === 'https:';
  if (url.password === '' && (url.username === '' || !http)) return remote;
  if (http) url.username = '';
  url.password = '';
  return url.toString();
}
