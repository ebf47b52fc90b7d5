/**
 * A repository's tags, page by page (`GET /v2/<name>/tags/list?n=…`): the next page from the
 * `Link: <…>; rel="next"` header, which must stay on the same repository's tag list; without
 * one, a full page asks again with `last=<its last tag>`. A registry that ignores `n` and
 * `last` (Distribution 2.8 answers everything at once) is detected when a page brings nothing
 * new. Tags outside the OCI grammar are counted and left out; the total is capped.
 */
import { isValidTag } from '../../checks/grammar.js';
import { RegistryError } from '../../errors.js';
import { printable } from '../../log/printable.js';
import type { RegistryClient } from './client.js';
import { pullScope, statusError, type ImageScope } from './scope.js';

export const PAGE_SIZE = 1000;
const MAX_PAGES = 1000;
const PAGE_MAX_BYTES = 8 << 20;
export const MAX_TAGS = 100_000;

export interface TagList {
  readonly tags: readonly string[];
  readonly pages: number;
  /** Tags left out: outside the grammar, or beyond MAX_TAGS. */
  readonly skipped: number;
  /** The first few left-out tags, escaped and capped. */
  readonly refused: readonly string[];
}

export async function listTags(client: RegistryClient, scope: ImageScope): Promise<TagList> {
  const basePath = `/v2/${scope.path}/tags/list`;
  const seen = new Set<string>();
  const tags: string[] = [];
  const refused: string[] = [];
  let skipped = 0;
  let pages = 0;
  let next: string | undefined = `${basePath}?n=${PAGE_SIZE}`;
  while (next !== undefined && pages < MAX_PAGES) {
    const response = await client.request({
      kind: 'tags',
      method: 'GET',
      path: next,
      accept: 'application/json',
      scope: pullScope(scope),
      maxBytes: PAGE_MAX_BYTES,
    });
    pages += 1;
    if (response.status !== 200) throw statusError(response.status, scope, 'tags/list');
    const page = parsePage(response.body, scope);
    let added = 0;
    for (const tag of page) {
      if (seen.has(tag)) continue;
      seen.add(tag);
      if (!isValidTag(tag) || tags.length >= MAX_TAGS) {
        skipped += 1;
        if (refused.length < 5) refused.push(printable(tag, 140));
        continue;
      }
      tags.push(tag);
      added += 1;
    }
    if (added === 0 && page.length > 0 && pages > 1) break;
    next = nextPage(response.headers.get('link'), basePath);
    if (next === undefined && page.length >= PAGE_SIZE) {
      next = `${basePath}?n=${PAGE_SIZE}&last=${encodeURIComponent(page[page.length - 1]!)}`;
    }
  }
  return { tags, pages, skipped, refused };
}

function parsePage(body: Buffer, scope: ImageScope): readonly string[] {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed(scope, 'is not JSON');
  }
  if (typeof answer !== 'object' || answer === null) throw malformed(scope, 'is not an object');
  const tags = (answer as { tags?: unknown }).tags;
  // An empty repository answers `"tags": null` on some registries.
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) throw malformed(scope, 'has no tags array');
  return tags.map((tag) => (typeof tag === 'string' ? tag : (JSON.stringify(tag) ?? '')));
}

/**
 * The `rel="next"` target of a Link header, as a path on the same host; undefined when there
 * is none, or it leaves the repository's tag list (a hostile or broken registry).
 */
export function nextPage(link: string | null, basePath: string): string | undefined {
  if (!link || link.length > 8192) return undefined;
  for (const part of link.split(',')) {
    const open = part.indexOf('<');
    const close = part.indexOf('>', open + 1);
    if (open < 0 || close < 0) continue;
    if (!/;\s*rel="?next"?/i.test(part.slice(close + 1))) continue;
    let url: URL;
    try {
      url = new URL(part.slice(open + 1, close), 'http://registry.invalid');
    } catch {
      return undefined;
    }
    // Only its path and query are taken, asked of this host: a Link never sends a request elsewhere.
    if (url.pathname !== basePath) return undefined;
    return `${url.pathname}${url.search}`;
  }
  return undefined;
}

function malformed(scope: ImageScope, what: string): RegistryError {
  return new RegistryError(`${scope.host}'s tag list for ${scope.path} ${what}`, {
    code: 'MalformedResponse',
    retryable: false,
    hint: 'the registry must answer {"name": …, "tags": […]} (OCI Distribution tags/list)',
    context: { image: scope.imageKey, repository: scope.repository },
  });
}
