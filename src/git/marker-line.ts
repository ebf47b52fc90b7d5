/**
 * The tag a marked YAML line carries, read from one line of text (a diff line or a grep hit):
 * `image: host/repo:1.2.3 # {"$imagepolicy": "podinfo"}` → podinfo 1.2.3.
 * Only `image` and `tag` markers carry a tag; `name` and `digest` markers are ignored.
 */
import { parseMarkerComment, splitImageReference } from '../manifest/marker-ref.js';

export interface MarkedTag {
  readonly imageKey: string;
  readonly tag: string;
  readonly digest?: string;
}

const MARKER_START = /\{\s*"\$imagepolicy"/;
const KEY = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#][^#]*?)\s*:(?:\s+|$)/;

export function markedTag(line: string): MarkedTag | undefined {
  const ref = parseMarkerComment(line);
  if (ref === undefined || 'error' in ref) return undefined;
  if (ref.field !== 'image' && ref.field !== 'tag') return undefined;
  const start = line.search(MARKER_START);
  const hash = line.lastIndexOf('#', start);
  if (hash < 0) return undefined;
  let text = line
    .slice(0, hash)
    .trim()
    .replace(/^(?:-\s+)+/, '');
  const key = KEY.exec(text);
  if (key) text = text.slice(key[0].length).trim();
  const value = unquote(text);
  if (value === '') return undefined;
  if (ref.field === 'tag') {
    const [tag = '', digest] = value.split('@');
    return tag === '' ? undefined : { imageKey: ref.imageKey, tag, ...(digest ? { digest } : {}) };
  }
  const parts = splitImageReference(value);
  if (parts.tag === undefined) return undefined;
  return { imageKey: ref.imageKey, tag: parts.tag, ...(parts.digest ? { digest: parts.digest } : {}) };
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      return String(JSON.parse(text));
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'"))
    return text.slice(1, -1).replace(/''/g, "'");
  return text;
}
