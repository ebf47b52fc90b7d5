/** Maps a failed git process to a GitError that says what to check (stderr redacted). */
import { GitError, type ErrorContext } from '../errors.js';
import type { Redactor } from '../log/redact.js';
import { GitProcessError } from './run.js';

interface Rule {
  readonly kind: 'host-key' | 'auth' | 'not-found' | 'network' | 'refused' | 'signing';
  readonly pattern: RegExp;
  readonly hint: string;
}

const RULES: readonly Rule[] = [
  {
    kind: 'host-key',
    pattern: /host key verification failed|remote host identification has changed|no .* host key is known/i,
    hint: "the server's SSH host key is not trusted: add it to git.auth.knownHostsFile (ssh-keyscan -t ed25519 HOST >> FILE), or set git.auth.strictHostKeyChecking: false to accept a new host once",
  },
  {
    kind: 'auth',
    pattern:
      /permission denied \(publickey|authentication failed|could not read username|could not read password|invalid username or password|http(?:s)? (?:basic: )?access denied|the requested url returned error: 40[13]|incorrect username or password|load key .*: /i,
    hint: 'authentication failed: check the deploy key (git.auth.sshKeyFile, with write access) or the token in the variable named by git.auth.tokenEnv',
  },
  {
    kind: 'not-found',
    pattern:
      /repository .* not found|does not appear to be a git repository|not found|the requested url returned error: 404|no such file or directory/i,
    hint: 'the remote was not found: check git.url (and that the deploy key or token can see the repository)',
  },
  {
    kind: 'network',
    pattern:
      /could not resolve host|connection refused|connection timed out|operation timed out|network is unreachable|failed to connect|connection reset|early eof|unexpected disconnect|timed out/i,
    hint: 'the Git server could not be reached: check the network, proxy and git.url; drawbridge retries on the next trigger',
  },
  {
    kind: 'refused',
    pattern: /protected branch|pre-receive hook declined|gh006|you are not allowed to push/i,
    hint: 'the server refused the push (protected branch or hook): use environments.<env>.push.branch to push to a separate branch and open a pull request',
  },
  {
    kind: 'signing',
    pattern: /gpg failed to sign|error: .*sign|ssh-keygen|signing failed/i,
    hint: 'signing failed: check git.signing (key path or id, program) and that the key is usable without a passphrase prompt',
  },
];

export interface GitErrorDetails {
  /** What drawbridge was doing, e.g. `git fetch`. */
  readonly operation: string;
  readonly redactor?: Redactor;
  readonly context?: ErrorContext;
}

export function toGitError(error: unknown, details: GitErrorDetails): GitError {
  if (error instanceof GitError) return error;
  const raw = error instanceof GitProcessError ? processText(error) : String(error);
  const text = redact(firstLines(raw), details.redactor);
  const rule = RULES.find((candidate) => candidate.pattern.test(raw));
  return new GitError(`${details.operation} failed: ${text || 'git exited without a message'}`, {
    hint: rule?.hint,
    context: details.context,
  });
}

/** stderr, plus the ref lines of `push --porcelain` that say why the server rejected a ref. */
function processText(error: GitProcessError): string {
  const rejected = error.stdout
    .split('\n')
    .filter((line) => line.startsWith('!'))
    .map((line) => line.replace(/^!\s+\S+\s+/, 'rejected: '));
  return [...rejected, error.stderr || (rejected.length > 0 ? '' : error.stdout)].filter(Boolean).join('\n');
}

export function isNetworkFailure(error: unknown): boolean {
  const raw = error instanceof GitProcessError ? error.stderr : String(error);
  return RULES.some((rule) => rule.kind === 'network' && rule.pattern.test(raw));
}

const NOISE =
  /^(?:hint:|Cloning into|Please make sure you have the correct access rights|and the repository exists)/;

/** The first lines that say something, with control characters (a server's ANSI escapes) shown as `?`. */
function firstLines(text: string): string {
  return (
    text
      .split('\n')
      // eslint-disable-next-line no-control-regex
      .map((line) => line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').trim())
      .filter((line) => line !== '' && !NOISE.test(line))
      .slice(0, 4)
      .join(' | ')
  );
}

function redact(text: string, redactor: Redactor | undefined): string {
  return redactor ? redactor.redact(text) : text;
}
