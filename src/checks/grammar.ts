/**
 * The grammar of what a registry (or an event about it) hands us. Tags, digests and
 * repository names are input, not trusted values: they end up in manifests, commit messages,
 * trailers, logs and git's command line, so anything outside these grammars is refused where
 * it enters and never chosen, written or committed.
 */

/** The OCI / Docker tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
export const TAG_MAX_LENGTH = 128;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** The only digest drawbridge writes: sha256 in lower-case hex. */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** ECR's repository name rule: lower-case components separated by `._-`, `/` namespaces. */
export const REPOSITORY_NAME_MAX_LENGTH = 256;
const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

export function isValidRepositoryName(name: string): boolean {
  return name.length <= REPOSITORY_NAME_MAX_LENGTH && REPOSITORY_NAME.test(name);
}

/** git check-ref-format's rules for a branch name, in short (and at most 255 characters). */
export function isValidBranch(branch: string): boolean {
  return !(
    branch === '' ||
    branch.length > 255 ||
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch === '@' ||
    /\.\.|\/\/|@\{|[\s~^:?*[\\]/.test(branch) ||
    [...branch].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) ||
    branch.split('/').some((part) => part.startsWith('.'))
  );
}

/**
 * A commit status context (`kustomization/apps`, `argocd/prod`): a name people chose, kept
 * to one printable line of at most CONTEXT_MAX characters, since it reaches logs and output.
 */
export const CONTEXT_MAX = 255;

export function isCheckContext(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > CONTEXT_MAX) return false;
  if (value.trim() !== value) return false;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029)
      return false;
  }
  return true;
}

export function isValidAccountId(account: string): boolean {
  return ACCOUNT_ID.test(account);
}

export function isValidRegion(region: string): boolean {
  return REGION.test(region);
}

/** Why a tag is outside the grammar, for people; undefined for a valid tag. Never echoes the tag. */
export function tagProblem(tag: string): string | undefined {
  if (isValidTag(tag)) return undefined;
  if (tag.length === 0) return 'empty tag';
  if (tag.length > TAG_MAX_LENGTH) return `${tag.length} characters, at most ${TAG_MAX_LENGTH} allowed`;
  const first = tag.codePointAt(0) ?? 0;
  if (!isTagStart(first)) return `starts with ${describeChar(first)}, not a letter, digit or _`;
  for (const char of tag) {
    const code = char.codePointAt(0) ?? 0;
    if (!isTagChar(code)) return `holds ${describeChar(code)}, only letters, digits and ._- allowed`;
  }
  return 'not a valid tag';
}

/** Why a digest is refused, for people; undefined for a valid one. */
export function digestProblem(digest: string): string | undefined {
  if (isValidDigest(digest)) return undefined;
  if (digest === '') return 'no digest';
  if (!digest.startsWith('sha256:')) return 'not a sha256 digest';
  return 'not sha256: followed by 64 lower-case hex digits';
}

function isTagStart(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}

function isTagChar(code: number): boolean {
  return isTagStart(code) || code === 0x2e || code === 0x2d;
}

const NAMED: Readonly<Record<number, string>> = {
  0x00: 'a NUL byte',
  0x09: 'a tab',
  0x0a: 'a newline',
  0x0d: 'a carriage return',
  0x20: 'a space',
};

/** `a newline`, `"\""`, `U+202E`: a character named without printing anything unsafe. */
function describeChar(code: number): string {
  const named = NAMED[code];
  if (named) return named;
  if (code > 0x20 && code < 0x7f) return `"${String.fromCodePoint(code)}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
