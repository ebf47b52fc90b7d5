/**
 * What a tag points at and when it was made, read only for the candidates a policy needs:
 * - the digest from `HEAD /v2/<name>/manifests/<tag>` (`Docker-Content-Digest`; Docker Hub
 *   does not count HEADs against its pull quota); a registry that sends no digest on HEAD is
 *   asked with GET and the digest computed;
 * - the creation time, when a policy needs push times (`minAge`, `newest: pushed`), from the
 *   manifest's `org.opencontainers.image.created` annotation, else the image config's
 *   `created` (for an index, of its linux/amd64 image, else its first). Every manifest and
 *   blob fetched by digest is checked against that digest before it is read.
 */
import { createHash } from 'node:crypto';
import { isValidDigest } from '../../checks/grammar.js';
import { RegistryError } from '../../errors.js';
import type { PushTimeSource } from '../../registry.js';
import type { RegistryClient } from './client.js';
import { pullScope, statusError, type ImageScope } from './scope.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');
const MANIFEST_MAX_BYTES = 4 << 20;
const CONFIG_MAX_BYTES = 8 << 20;
const CREATED = 'org.opencontainers.image.created';
/** Creation times before this are build tools' placeholders (reproducible builds use the epoch). */
const EARLIEST = Date.UTC(2000, 0, 1);

export interface TaggedImage {
  readonly digest: string;
  readonly mediaType?: string;
}

export interface Created {
  readonly at: Date;
  readonly from: Exclude<PushTimeSource, 'first-seen' | 'unread'>;
}

/** The tag's manifest digest; undefined when the tag is gone (404). Throws RegistryError. */
export async function headTag(
  client: RegistryClient,
  scope: ImageScope,
  tag: string,
): Promise<TaggedImage | undefined> {
  const path = `/v2/${scope.path}/manifests/${encodeURIComponent(tag)}`;
  const head = await client.request({
    kind: 'head',
    method: 'HEAD',
    path,
    accept: MANIFEST_ACCEPT,
    scope: pullScope(scope),
    maxBytes: 0,
  });
  if (head.status === 404) return undefined;
  if (head.status !== 200) throw statusError(head.status, scope, `manifest of ${tag}`);
  const mediaType = mediaTypeOf(head.headers.get('content-type'));
  const digest = head.headers.get('docker-content-digest');
  if (digest !== null) {
    if (!isValidDigest(digest)) throw badDigest(scope, tag);
    return { digest, ...(mediaType ? { mediaType } : {}) };
  }
  const get = await client.request({
    kind: 'manifest',
    method: 'GET',
    path,
    accept: MANIFEST_ACCEPT,
    scope: pullScope(scope),
    maxBytes: MANIFEST_MAX_BYTES,
  });
  if (get.status === 404) return undefined;
  if (get.status !== 200) throw statusError(get.status, scope, `manifest of ${tag}`);
  return {
    digest: `sha256:${createHash('sha256').update(get.body).digest('hex')}`,
    ...(mediaType ? { mediaType } : {}),
  };
}

/** When the image was made; undefined when neither its manifest nor its config says. */
export async function createdOf(
  client: RegistryClient,
  scope: ImageScope,
  digest: string,
  now: Date,
): Promise<Created | undefined> {
  const manifest = await manifestByDigest(client, scope, digest);
  const annotated = timeOf(annotation(manifest), now);
  if (annotated) return { at: annotated, from: 'annotation' };
  let image = manifest;
  const entries = (manifest as { manifests?: unknown }).manifests;
  if (Array.isArray(entries)) {
    const chosen = platformImage(entries);
    if (chosen === undefined) return undefined;
    image = await manifestByDigest(client, scope, chosen);
    const inner = timeOf(annotation(image), now);
    if (inner) return { at: inner, from: 'annotation' };
  }
  const config = (image as { config?: { digest?: unknown } }).config?.digest;
  if (typeof config !== 'string' || !isValidDigest(config)) return undefined;
  const blob = await client.request({
    kind: 'blob',
    method: 'GET',
    path: `/v2/${scope.path}/blobs/${config}`,
    scope: pullScope(scope),
    maxBytes: CONFIG_MAX_BYTES,
  });
  if (blob.status !== 200) throw statusError(blob.status, scope, `image config ${config.slice(0, 19)}…`);
  verify(blob.body, config, scope);
  const created = timeOf((parseJson(blob.body, scope, 'image config') as { created?: unknown }).created, now);
  return created ? { at: created, from: 'config' } : undefined;
}

async function manifestByDigest(client: RegistryClient, scope: ImageScope, digest: string): Promise<object> {
  const response = await client.request({
    kind: 'manifest',
    method: 'GET',
    path: `/v2/${scope.path}/manifests/${digest}`,
    accept: MANIFEST_ACCEPT,
    scope: pullScope(scope),
    maxBytes: MANIFEST_MAX_BYTES,
  });
  if (response.status !== 200) throw statusError(response.status, scope, `manifest ${digest.slice(0, 19)}…`);
  verify(response.body, digest, scope);
  return parseJson(response.body, scope, 'manifest');
}

/** linux/amd64 if the index has it, else its first image that is not an attestation. */
function platformImage(entries: readonly unknown[]): string | undefined {
  let first: string | undefined;
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { digest, platform } = entry as {
      digest?: unknown;
      platform?: { os?: unknown; architecture?: unknown };
    };
    if (typeof digest !== 'string' || !isValidDigest(digest)) continue;
    if (platform?.os === 'unknown') continue;
    if (platform?.os === 'linux' && platform.architecture === 'amd64') return digest;
    first ??= digest;
  }
  return first;
}

function annotation(manifest: object): unknown {
  const annotations = (manifest as { annotations?: unknown }).annotations;
  return typeof annotations === 'object' && annotations !== null
    ? (annotations as Record<string, unknown>)[CREATED]
    : undefined;
}

/** An RFC 3339 time between 2000 and a day from now; undefined otherwise. */
function timeOf(value: unknown, now: Date): Date | undefined {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at) || at < EARLIEST || at > now.getTime() + 86_400_000) return undefined;
  return new Date(at);
}

function verify(body: Buffer, digest: string, scope: ImageScope): void {
  if (!digest.startsWith('sha256:')) return;
  const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (actual !== digest)
    throw new RegistryError(
      `${scope.host} answered content that does not match ${digest.slice(0, 19)}… for ${scope.path}`,
      {
        code: 'DigestMismatch',
        retryable: false,
        hint: 'the registry or something between it and drawbridge altered the answer; check the host and any proxy',
        context: { image: scope.imageKey, repository: scope.repository },
      },
    );
}

function parseJson(body: Buffer, scope: ImageScope, what: string): object {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // reported below
  }
  throw new RegistryError(`${scope.host} answered a ${what} for ${scope.path} that is not a JSON object`, {
    code: 'MalformedResponse',
    retryable: false,
    context: { image: scope.imageKey, repository: scope.repository },
  });
}

function mediaTypeOf(header: string | null): string | undefined {
  if (!header) return undefined;
  const type = header.split(';')[0]!.trim();
  return /^[a-z0-9.+/-]{1,128}$/i.test(type) ? type : undefined;
}

function badDigest(scope: ImageScope, tag: string): RegistryError {
  return new RegistryError(
    `${scope.host} answered a digest for ${scope.path}:${tag} that is not sha256:<64 hex>`,
    {
      code: 'InvalidDigest',
      retryable: false,
      hint: 'drawbridge writes only sha256 digests it has checked; report it to the registry operator',
      context: { image: scope.imageKey, repository: scope.repository },
    },
  );
}
