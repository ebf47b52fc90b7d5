/**
 * Image sources by kind of registry (SPEC §12). Each folder implements the ImageSource seam of
 * ../registry.ts; `registryKindOf` says which reads an image's repository: ECR URIs through
 * the ECR API (push times and scans in one call per 1,000 images), every other reference
 * through the OCI Distribution API. A folder is loaded only when the config names an image it
 * reads. Another kind (a registry with an API of its own worth using) is a folder, a line
 * here and a case in `registryKindOf`.
 */
import { parseRepositoryUri } from '../checks/ecr-uri.js';

import type { ImageSource, RegistryKind, SourceFactory, SourceOptions } from '../registry.js';

export const REGISTRIES: Readonly<Record<RegistryKind, () => Promise<SourceFactory>>> = {
  ecr: async () => (await import('./ecr/index.js')).createEcrImageSource,
  oci: async () => (await import('./oci/index.js')).createOciImageSource,
};

export function registryKindOf(repository: string): RegistryKind {
  return parseRepositoryUri(repository) === undefined ? 'oci' : 'ecr';
}

/**
 * One source for every image of the config: each image key's calls go to the source of its
 * registry's kind, made from the folders the config needs.
 */
export async function createImageSource(options: SourceOptions): Promise<ImageSource> {
  const kindOfKey = new Map(
    Object.entries(options.config.images).map(([key, image]) => [key, registryKindOf(image.repository)]),
  );
  const kinds = [...new Set(kindOfKey.values())];
  // A config with no images still answers (an unknown key fails in the ECR source, as before).
  if (kinds.length === 0) kinds.push('ecr');
  const factories = await Promise.all(kinds.map((kind) => REGISTRIES[kind]()));
  const sources = new Map(kinds.map((kind, index) => [kind, factories[index]!(options)]));
  if (sources.size === 1) return sources.values().next().value!;
  return routedSource(sources, (imageKey) => kindOfKey.get(imageKey) ?? 'ecr');
}

function routedSource(
  sources: ReadonlyMap<RegistryKind, ImageSource>,
  kindOf: (imageKey: string) => RegistryKind,
): ImageSource {
  const sourceOf = (imageKey: string): ImageSource =>
    sources.get(kindOf(imageKey)) ?? sources.values().next().value!;
  return {
    list: (imageKey) => sourceOf(imageKey).list(imageKey),
    scanFindings: (imageKey, candidate) => sourceOf(imageKey).scanFindings(imageKey, candidate),
    readPending: async (imageKey, pending, needs) => {
      const source = sourceOf(imageKey);
      if (!source.readPending) return new Map(pending.map((candidate) => [candidate.tag, undefined]));
      return source.readPending(imageKey, pending, needs);
    },
    invalidate(imageKeys) {
      if (imageKeys === undefined) {
        for (const source of sources.values()) source.invalidate();
        return;
      }
      for (const [kind, source] of sources) {
        const mine = imageKeys.filter((key) => kindOf(key) === kind);
        if (mine.length > 0) source.invalidate(mine);
      }
    },
  };
}
