/**
 * GitLab's offset pagination: `page` (default 1) and `per_page` (default 20, at most 100),
 * answered with x-page, x-per-page, x-next-page and x-prev-page (empty when there is none),
 * x-total and x-total-pages (left out above 10,000 rows, as GitLab does) and a Link header
 * with next, prev, first and last. gitbeaker follows Link's `rel="next"` when no page is
 * given and reads x-next-page for its pagination info.
 */
import type { Params } from './params.js';

export const PER_PAGE_DEFAULT = 20;
export const PER_PAGE_MAX = 100;
const COUNT_LIMIT = 10_000;

export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly headers: Readonly<Record<string, string>>;
}

export function pageRequest(params: Params): PageRequest {
  const page = params.integer('page') ?? 1;
  const perPage = params.integer('per_page') ?? PER_PAGE_DEFAULT;
  return {
    page: Math.max(1, page),
    perPage: Math.min(PER_PAGE_MAX, Math.max(1, perPage)),
  };
}

/** One page of `items`; `url` is the request's public URL, the base of the Link header. */
export function paginate<T>(items: readonly T[], request: PageRequest, url: URL): Page<T> {
  const { page, perPage } = request;
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const next = page < totalPages ? page + 1 : undefined;
  const prev = page > 1 ? Math.min(page - 1, totalPages) : undefined;
  const link = (to: number, rel: string): string => {
    const target = new URL(url);
    target.searchParams.set('page', String(to));
    target.searchParams.set('per_page', String(perPage));
    return `<${target.href}>; rel="${rel}"`;
  };
  const counted = items.length <= COUNT_LIMIT;
  const links = [
    ...(prev === undefined ? [] : [link(prev, 'prev')]),
    ...(next === undefined ? [] : [link(next, 'next')]),
    link(1, 'first'),
    ...(counted ? [link(totalPages, 'last')] : []),
  ];
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': next === undefined ? '' : String(next),
      'x-prev-page': prev === undefined ? '' : String(prev),
      ...(counted ? { 'x-total': String(items.length), 'x-total-pages': String(totalPages) } : {}),
      link: links.join(', '),
    },
  };
}
