/**
 * `/events/registry` (SPEC §12): a registry's push notification becomes a rescan of only the
 * images it names. Every field is checked against its grammar first (host, repository path,
 * tag, digest); a bad one drops the whole body with a fixed message and the value escaped.
 * An image matches a push of its repository path on its host; a body that names no host, or
 * a host no image names (a registry behind another name), matches by path among the images
 * outside ECR.
 */
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import { isValidDigest, isValidTag } from '../checks/grammar.js';
import { DOCKER_HUB, hostProblem, parseImageReference } from '../checks/image-ref.js';
import type { Config } from '../config/schema.js';
import { DROPPED_MESSAGE } from '../events/push-fields.js';
import { printable } from '../log/printable.js';
import type { EventAnswer } from './http-server.js';
import type { IntakeDeps } from './event-intake.js';
import { parseRegistryEventText, type RegistryPush } from './registry-event.js';

const SHOWN = 120;
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

/** The first field outside its grammar, as a reason and the value escaped. */
export function registryPushProblem(push: RegistryPush): { field: string; shown: string } | undefined {
  const shown = (value: string): string => printable(value, 80);
  if (push.host !== undefined && (hostProblem(push.host) !== undefined || push.host.length > 255))
    return { field: 'host', shown: shown(push.host) };
  if (!('reference' in parseImageReference(`registry.invalid/${push.path}`)))
    return { field: 'repository', shown: shown(push.path) };
  if (push.tag !== undefined && !isValidTag(push.tag)) return { field: 'tag', shown: shown(push.tag) };
  if (push.digest !== undefined && !isValidDigest(push.digest))
    return { field: 'digest', shown: shown(push.digest) };
  return undefined;
}

/** The image keys outside ECR that the pushes name, and the environments picking them directly. */
export function scopeForRegistryPushes(
  config: Config,
  pushes: readonly RegistryPush[],
): { images: string[]; environments: string[] } {
  const oci: { key: string; host: string; path: string }[] = [];
  for (const [key, image] of Object.entries(config.images)) {
    if (parseRepositoryUri(image.repository) !== undefined) continue;
    const parsed = parseImageReference(image.repository);
    if ('reference' in parsed) oci.push({ key, host: parsed.reference.host, path: parsed.reference.path });
  }
  const sameHost = (a: string, b: string): boolean =>
    a === b || (DOCKER_HUB_ALIASES.has(a) && DOCKER_HUB_ALIASES.has(b));
  const images = new Set<string>();
  for (const push of pushes) {
    const byPath = oci.filter((image) => image.path === push.path);
    const exact = push.host === undefined ? [] : byPath.filter((image) => sameHost(image.host, push.host!));
    for (const image of exact.length > 0 ? exact : byPath) images.add(image.key);
  }
  const environments = Object.entries(config.environments)
    .filter(([, environment]) =>
      [...images].some((key) => {
        const policy = environment.policies[key];
        return policy !== undefined && policy.promote === undefined;
      }),
    )
    .map(([name]) => name);
  return { images: [...images], environments };
}

/** Takes one body: answers at once; the rescan is queued. */
export function takeRegistryEvent(deps: IntakeDeps, body: string): EventAnswer {
  const { metrics, logger } = deps;
  metrics.eventReceived('registry');
  const event = parseRegistryEventText(body);
  if (event.kind === 'malformed') {
    metrics.eventFailed('registry', 'malformed');
    logger.warn({ source: 'registry', reason: event.detail }, 'malformed event dropped');
    return { status: 400, body: { error: event.detail } };
  }
  if (event.kind === 'ignored') {
    metrics.eventIgnored('registry', event.reason);
    logger.debug(
      {
        source: 'registry',
        format: event.format,
        reason: event.reason,
        detail: printable(event.detail, SHOWN),
      },
      'event ignored',
    );
    return { status: 202, body: { status: 'ignored', reason: event.reason } };
  }
  for (const push of event.pushes) {
    const problem = registryPushProblem(push);
    if (problem === undefined) continue;
    metrics.eventFailed('registry', `invalid-${problem.field}`);
    logger.warn(
      { source: 'registry', format: event.format, field: problem.field, value: problem.shown },
      DROPPED_MESSAGE,
    );
    return { status: 400, body: { error: `${problem.field} is not valid` } };
  }
  const { images, environments } = scopeForRegistryPushes(deps.config(), event.pushes);
  if (images.length === 0 || environments.length === 0) {
    const reason = images.length === 0 ? 'unknown-repository' : 'no-environment';
    metrics.eventIgnored('registry', reason);
    logger.debug(
      { source: 'registry', format: event.format, reason, pushes: event.pushes.length },
      'event ignored',
    );
    return { status: 202, body: { status: 'ignored', reason } };
  }
  logger.info(
    { source: 'registry', format: event.format, pushes: event.pushes.length, images, environments },
    'push event',
  );
  deps.source()?.invalidate(images);
  void deps.queue.submit({ trigger: 'event', images, environments }).then((outcome) => {
    if (!outcome.ok) {
      metrics.eventFailed('registry', 'reconcile');
      logger.warn(
        { source: 'registry', failures: outcome.failures },
        'event not handled; the next sweep retries',
      );
    }
  });
  return { status: 202, body: { status: 'accepted', images, environments } };
}
