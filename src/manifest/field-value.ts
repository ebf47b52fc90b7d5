import type { DesiredImage, MarkerField } from './types.js';

/**
 * What a marker's scalar should hold: the whole reference for `image`
 * (`repository:tag`, or `repository:tag@digest` when the policy pins digests), else one part.
 * Undefined when the part is unknown (no digest reported for the image).
 */
export function valueForField(field: MarkerField, desired: DesiredImage): string | undefined {
  switch (field) {
    case 'image':
      if (!desired.pinDigest) return `${desired.repository}:${desired.tag}`;
      return desired.digest === '' ? undefined : `${desired.repository}:${desired.tag}@${desired.digest}`;
    case 'tag':
      return desired.tag;
    case 'name':
      return desired.repository;
    case 'digest':
      return desired.digest === '' ? undefined : desired.digest;
  }
}
