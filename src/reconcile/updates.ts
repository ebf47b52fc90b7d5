import { splitImageReference } from '../manifest/marker-ref.js';
import type { DesiredImage, Edit, Marker } from '../manifest/types.js';

/** Distinct tags (or digests when a marker holds only a digest) currently in Git for one image. */
export function currentTags(markers: readonly Marker[], imageKey: string): string[] {
  const tags = new Set<string>();
  for (const marker of markers) {
    if (marker.imageKey !== imageKey) continue;
    if (marker.field === 'tag') tags.add(marker.value);
    if (marker.field === 'image') {
      const tag = splitImageReference(marker.value).tag;
      if (tag !== undefined) tags.add(tag);
    }
  }
  return [...tags];
}

export interface GroupedUpdate {
  readonly image: string;
  readonly repository: string;
  readonly old: string;
  readonly new: string;
  readonly digest: string;
  readonly files: { file: string; kind?: string; name?: string }[];
}

/** One entry per image that has applied edits, in the order of `desired` (the policies' order). */
export function groupUpdates(
  applied: readonly Edit[],
  markers: readonly Marker[],
  desired: ReadonlyMap<string, DesiredImage>,
): GroupedUpdate[] {
  const byImage = new Map<string, GroupedUpdate>();
  for (const edit of applied) {
    const target = desired.get(edit.imageKey);
    if (!target) continue;
    let update = byImage.get(edit.imageKey);
    if (!update) {
      const before = currentTags(markers, edit.imageKey).filter((tag) => tag !== target.tag);
      update = {
        image: edit.imageKey,
        repository: target.repository,
        old: before[0] ?? target.tag,
        new: target.tag,
        digest: target.digest,
        files: [],
      };
      byImage.set(edit.imageKey, update);
    }
    if (!update.files.some((f) => f.file === edit.file)) {
      update.files.push({
        file: edit.file,
        ...(edit.documentKind === undefined ? {} : { kind: edit.documentKind }),
        ...(edit.documentName === undefined ? {} : { name: edit.documentName }),
      });
    }
  }
  return [...desired.keys()].flatMap((key) => {
    const update = byImage.get(key);
    return update ? [update] : [];
  });
}
