/**
 * What a push event should reconcile: the image keys whose repository it names, and the
 * environments whose policies pick from those keys directly.
 *
 * Environments that `promote` an image are left out: a push changes nothing for them, since
 * they follow what another environment has run for a while (read from Git), and the
 * scheduled sweep moves them once that soak time has passed.
 */
import type { Config } from '../config/schema.js';
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import type { EcrPush, IgnoreReason } from './ecr-event.js';

export interface EventScope {
  readonly images: readonly string[];
  readonly environments: readonly string[];
}

export type ScopeResult =
  | { readonly kind: 'scope'; readonly scope: EventScope }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason; readonly detail: string };

export function scopeForPush(config: Config, push: EcrPush): ScopeResult {
  const images: string[] = [];
  for (const [key, image] of Object.entries(config.images)) {
    const parsed = parseRepositoryUri(image.repository);
    if (!parsed || parsed.name !== push.repositoryName) continue;
    if (push.account !== undefined && parsed.registryId !== push.account) continue;
    if (push.region !== undefined && (image.region ?? parsed.region) !== push.region) continue;
    images.push(key);
  }
  if (images.length === 0) {
    return {
      kind: 'ignored',
      reason: 'unknown-repository',
      detail: `${push.account ?? '?'}/${push.region ?? '?'}/${push.repositoryName} is not in the config`,
    };
  }
  const environments = Object.entries(config.environments)
    .filter(([, environment]) =>
      images.some((key) => {
        const policy = environment.policies[key];
        return policy !== undefined && policy.promote === undefined;
      }),
    )
    .map(([name]) => name);
  if (environments.length === 0) {
    return {
      kind: 'ignored',
      reason: 'no-environment',
      detail: `no environment picks ${images.join(', ')} directly`,
    };
  }
  return { kind: 'scope', scope: { images, environments } };
}
