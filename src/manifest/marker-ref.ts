import type { MarkerField, MarkerRef } from './types.js';

/** `{"$imagepolicy": "ns:image:tag"}` anywhere in a comment's text (spaces inside the JSON allowed). */
const MARKER_COMMENT = /\{\s*"\$imagepolicy"\s*:\s*"([^"]*)"\s*\}/;
const FIELDS: ReadonlySet<string> = new Set(['tag', 'name', 'digest']);

/**
 * Reads the marker out of a comment's text (with or without the leading `#`).
 * Returns undefined when the comment holds no marker; `{ error }` when it holds a bad one.
 */
export function parseMarkerComment(comment: string): MarkerRef | { readonly error: string } | undefined {
  const match = MARKER_COMMENT.exec(comment);
  if (!match) return undefined;
  return parseMarkerValue(match[1] ?? '');
}

/** `[namespace:]image[:tag|:name|:digest]` → its parts. */
export function parseMarkerValue(value: string): MarkerRef | { readonly error: string } {
  const parts = value.trim().split(':');
  if (parts.some((part) => part.trim() === '') || parts.length > 3) {
    return { error: `"${value}" is not [namespace:]image[:tag|:name|:digest]` };
  }
  let field: MarkerField = 'image';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length > 1 && FIELDS.has(last)) {
    field = last as MarkerField;
    parts.pop();
  }
  if (parts.length > 2) return { error: `"${value}" is not [namespace:]image[:tag|:name|:digest]` };
  const imageKey = (parts.length === 2 ? parts[1] : parts[0]) ?? '';
  const namespace = parts.length === 2 ? parts[0] : undefined;
  return namespace === undefined ? { imageKey, field } : { imageKey, field, namespace };
}

export interface ImageReference {
  /** Everything before the tag: registry host, port and path. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `host[:port]/path[:tag][@sha256:…]` (the tag's colon is the last one after the last `/`). */
export function splitImageReference(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}
