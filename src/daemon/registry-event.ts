/**
 * Push notifications of OCI registries (SPEC §12), as `/events/registry` receives them:
 * - Distribution (and Zot, GitLab's registry): `{"events": [{"action": "push", "target":
 *   {"repository", "tag", "digest", "url"}, "request": {"host"}}]}`;
 * - Harbor: `{"type": "PUSH_ARTIFACT", "event_data": {"repository": {"repo_full_name"},
 *   "resources": [{"tag", "digest", "resource_url"}]}}`;
 * - Docker Hub: `{"push_data": {"tag"}, "repository": {"repo_name"}}` (on docker.io);
 * - GitHub's `registry_package` (and `package`) webhook: `{"action": "published",
 *   "registry_package": {"namespace", "name", "package_type": "CONTAINER", "package_version":
 *   {"container_metadata": {"tag": {"name", "digest"}}}, "registry": {"host"}}}`.
 * Each becomes pushes of (host when the body names one, repository path, tag). Nothing here
 * is trusted: the caller checks every field before it is scoped or logged by value.
 */
import { isRecord } from '../checks/record.js';

export type RegistryFormat = 'distribution' | 'harbor' | 'dockerhub' | 'github';

export interface RegistryPush {
  /** The registry host as the body names it (`ghcr.io`, `harbor.acme.dev`); absent when it does not. */
  readonly host?: string;
  /** The repository path: `library/nginx`, `acme/api`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type RegistryEvent =
  | { readonly kind: 'pushes'; readonly format: RegistryFormat; readonly pushes: readonly RegistryPush[] }
  | {
      readonly kind: 'ignored';
      readonly format: RegistryFormat;
      readonly reason: 'not-a-push' | 'not-a-container';
      readonly detail: string;
    }
  | { readonly kind: 'malformed'; readonly detail: string };

/** Distribution sends events in batches; more than this in one body is not a notification. */
const MAX_PUSHES = 500;

export function parseRegistryEventText(text: string): RegistryEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'malformed', detail: 'body is not JSON' };
  }
  if (!isRecord(value)) return { kind: 'malformed', detail: 'body is not a JSON object' };
  if (Array.isArray(value['events'])) return distribution(value['events']);
  if (typeof value['type'] === 'string' && isRecord(value['event_data']))
    return harbor(value['type'], value['event_data']);
  if (isRecord(value['push_data']) && isRecord(value['repository']))
    return dockerHub(value['push_data'], value['repository']);
  const pkg = isRecord(value['registry_package'])
    ? value['registry_package']
    : isRecord(value['package'])
      ? value['package']
      : undefined;
  if (pkg) return github(value['action'], pkg);
  return {
    kind: 'malformed',
    detail: 'not a Distribution, Harbor, Docker Hub or GitHub registry_package notification',
  };
}

function distribution(events: readonly unknown[]): RegistryEvent {
  if (events.length > MAX_PUSHES) return { kind: 'malformed', detail: `${events.length} events in one body` };
  const pushes: RegistryPush[] = [];
  for (const event of events) {
    if (!isRecord(event) || event['action'] !== 'push' || !isRecord(event['target'])) continue;
    const target = event['target'];
    const path = target['repository'];
    if (typeof path !== 'string') return { kind: 'malformed', detail: 'an event without target.repository' };
    const request = isRecord(event['request']) ? event['request'] : {};
    const host = hostOfUrl(target['url']) ?? text(request['host']);
    pushes.push({
      path,
      ...optional('host', host),
      ...optional('tag', text(target['tag'])),
      ...optional('digest', text(target['digest'])),
    });
  }
  if (pushes.length === 0)
    return { kind: 'ignored', format: 'distribution', reason: 'not-a-push', detail: 'no push events' };
  return { kind: 'pushes', format: 'distribution', pushes };
}

function harbor(type: string, data: Record<string, unknown>): RegistryEvent {
  if (type !== 'PUSH_ARTIFACT' && type !== 'pushImage')
    return {
      kind: 'ignored',
      format: 'harbor',
      reason: 'not-a-push',
      detail: `event type ${type.slice(0, 40)}`,
    };
  const repository = isRecord(data['repository']) ? data['repository'] : undefined;
  const path = text(repository?.['repo_full_name']);
  if (path === undefined)
    return { kind: 'malformed', detail: 'event_data.repository.repo_full_name is missing' };
  const resources = Array.isArray(data['resources']) ? data['resources'].slice(0, MAX_PUSHES) : [];
  const pushes: RegistryPush[] = [];
  for (const resource of resources.length > 0 ? resources : [{}]) {
    const item = isRecord(resource) ? resource : {};
    const host = hostOfReference(item['resource_url']);
    pushes.push({
      path,
      ...optional('host', host),
      ...optional('tag', text(item['tag'])),
      ...optional('digest', text(item['digest'])),
    });
  }
  return { kind: 'pushes', format: 'harbor', pushes };
}

function dockerHub(pushData: Record<string, unknown>, repository: Record<string, unknown>): RegistryEvent {
  const name = text(repository['repo_name']);
  if (name === undefined) return { kind: 'malformed', detail: 'repository.repo_name is missing' };
  // Docker Hub names official images without their `library/` namespace.
  const path = name.includes('/') ? name : `library/${name}`;
  return {
    kind: 'pushes',
    format: 'dockerhub',
    pushes: [{ host: 'docker.io', path, ...optional('tag', text(pushData['tag'])) }],
  };
}

function github(action: unknown, pkg: Record<string, unknown>): RegistryEvent {
  if (action !== 'published' && action !== 'updated')
    return {
      kind: 'ignored',
      format: 'github',
      reason: 'not-a-push',
      detail: `action ${String(action).slice(0, 40)}`,
    };
  const type = text(pkg['package_type']) ?? text(pkg['ecosystem']);
  if (type === undefined || !['container', 'docker'].includes(type.toLowerCase()))
    return {
      kind: 'ignored',
      format: 'github',
      reason: 'not-a-container',
      detail: `package type ${String(type).slice(0, 40)}`,
    };
  const namespace =
    text(pkg['namespace']) ?? text(isRecord(pkg['owner']) ? pkg['owner']['login'] : undefined);
  const name = text(pkg['name']);
  if (namespace === undefined || name === undefined)
    return { kind: 'malformed', detail: 'registry_package.namespace or name is missing' };
  const version = isRecord(pkg['package_version']) ? pkg['package_version'] : {};
  const metadata = isRecord(version['container_metadata']) ? version['container_metadata'] : {};
  const tag = isRecord(metadata['tag']) ? metadata['tag'] : {};
  const registry = isRecord(pkg['registry']) ? pkg['registry'] : {};
  const host = text(registry['host']) ?? hostOfUrl(registry['url']) ?? 'ghcr.io';
  // GitHub sends the owner's login as typed; image paths are lower-case.
  return {
    kind: 'pushes',
    format: 'github',
    pushes: [
      {
        host,
        path: `${namespace}/${name}`.toLowerCase(),
        ...optional('tag', text(tag['name'])),
        ...optional('digest', text(tag['digest'])),
      },
    ],
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function hostOfUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.host === '' ? undefined : url.host;
  } catch {
    return undefined;
  }
}

/** `harbor.acme.dev/library/nginx:1.0` → `harbor.acme.dev`. */
function hostOfReference(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 1024) return undefined;
  const slash = value.indexOf('/');
  return slash > 0 ? value.slice(0, slash) : undefined;
}
