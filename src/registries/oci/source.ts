/**
 * The OCI image source (SPEC §12): any registry speaking the Distribution API. A listing is
 * the repository's tags only, each a pending candidate; the policy engine asks `readPending`
 * for the few it would choose (one HEAD each, plus the manifest and config for a push time
 * when the policy needs one). Tag lists are cached per image key like ECR's listings (until a
 * push event, a full sweep or the TTL); what a tag points at is kept for the listing's life;
 * creation times are kept by digest across listings, since a digest's content never changes.
 */
import { parseImageReference } from '../../checks/image-ref.js';
import { RegistryError, formatError } from '../../errors.js';
import type {
  ImageCandidate,
  ImageListing,
  ImageSource,
  PendingNeeds,
  ScanFacts,
  SourceBase,
} from '../../registry.js';
import { drawbridgeVersion } from '../../version.js';
import { createRegistryClient, type RegistryClient, type RequestKind } from './client.js';
import { credentialsFor, type CredentialsOptions } from './credentials.js';
import { createdOf, headTag, type Created, type TaggedImage } from './images.js';
import type { ImageScope } from './scope.js';
import { listTags, type TagList } from './tags.js';

export interface OciSourceOptions extends SourceBase {
  /** Where `~/.docker/config.json` is looked for without DOCKER_CONFIG; default the user's home. */
  readonly home?: string;
  readonly runHelper?: CredentialsOptions['runHelper'];
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Every registry response (status 0: no answer), for metrics and the benchmark. */
  readonly onRequest?: (host: string, kind: RequestKind, status: number) => void;
  /** A cached tag list older than this is read again; default 10 minutes. */
  readonly cacheTtlMs?: number;
}

export interface OciSource extends ImageSource {
  /** Where an image key's repository lives. Throws RegistryError for a key or reference it cannot read. */
  scopeOf(imageKey: string): ImageScope;
}

interface Entry {
  readonly tags: TagList;
  readonly fetchedAt: Date;
  /** Tag → what it pointed at when read this listing; null: the tag was gone. */
  readonly images: Map<string, Promise<TaggedImage | null>>;
}

/** Creation times and first sightings kept by digest; the oldest go first beyond this. */
const DIGESTS_KEPT = 50_000;
const EPOCH = new Date(0);
const NO_SCAN: ScanFacts = { status: 'UNSUPPORTED', counts: {} };

export function createOciSource(options: OciSourceOptions): OciSource {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const userAgent = `drawbridge/${drawbridgeVersion()}`;
  const clients = new Map<string, RegistryClient>();
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, { readonly promise: Promise<Entry>; readonly generation: number }>();
  const generations = new Map<string, number>();
  const created = new Map<string, Promise<Created | null>>();
  const firstSeen = new Map<string, Date>();

  function scopeOf(imageKey: string): ImageScope {
    const image = config.images[imageKey];
    if (!image)
      throw new RegistryError(`unknown image key ${imageKey}`, {
        code: 'UnknownImage',
        retryable: false,
        context: { image: imageKey },
      });
    const parsed = parseImageReference(image.repository);
    if (!('reference' in parsed))
      throw new RegistryError(`not an image repository: ${image.repository} (${parsed.problem})`, {
        code: 'InvalidRepository',
        retryable: false,
        hint: 'write it as docker pull would take it without a tag, e.g. ghcr.io/acme/api',
        context: { image: imageKey, repository: image.repository },
      });
    const { host, path, apiHost } = parsed.reference;
    return { imageKey, repository: image.repository, host, path, apiHost };
  }

  function clientFor(scope: ImageScope): RegistryClient {
    let client = clients.get(scope.host);
    if (client === undefined) {
      const entry =
        config.registries?.[scope.host] ??
        (scope.host === 'docker.io' ? config.registries?.['index.docker.io'] : undefined);
      client = createRegistryClient({
        host: scope.host,
        apiHost: scope.apiHost,
        insecure: entry?.insecure ?? false,
        maxConcurrency: entry?.maxConcurrency ?? 4,
        credentials: () =>
          credentialsFor(scope.host, entry, {
            env,
            ...(options.home === undefined ? {} : { home: options.home }),
            ...(options.runHelper ? { runHelper: options.runHelper } : {}),
          }),
        logger: logger.child({ host: scope.host }),
        userAgent,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.onRequest
          ? { onRequest: (kind, status) => options.onRequest?.(scope.host, kind, status) }
          : {}),
      });
      clients.set(scope.host, client);
    }
    return client;
  }

  async function fetchEntry(imageKey: string): Promise<Entry> {
    const scope = scopeOf(imageKey);
    const started = Date.now();
    const tags = await listTags(clientFor(scope), scope);
    if (tags.refused.length > 0)
      logger.warn(
        { image: imageKey, repository: scope.repository, skipped: tags.skipped, refused: tags.refused },
        'registry answered tags that are refused',
      );
    logger.debug(
      {
        image: imageKey,
        repository: scope.repository,
        tags: tags.tags.length,
        pages: tags.pages,
        ms: Date.now() - started,
      },
      'listed repository',
    );
    return { tags, fetchedAt: now(), images: new Map() };
  }

  function entryFor(imageKey: string): Promise<Entry> {
    const cached = entries.get(imageKey);
    if (cached && now().getTime() - cached.fetchedAt.getTime() < ttl) return Promise.resolve(cached);
    const generation = generations.get(imageKey) ?? 0;
    const running = inFlight.get(imageKey);
    if (running && running.generation === generation) return running.promise;
    const promise = fetchEntry(imageKey)
      .then((entry) => {
        if ((generations.get(imageKey) ?? 0) === generation) entries.set(imageKey, entry);
        return entry;
      })
      .finally(() => {
        if (inFlight.get(imageKey)?.promise === promise) inFlight.delete(imageKey);
      });
    inFlight.set(imageKey, { promise, generation });
    return promise;
  }

  function wrap(error: unknown, scope: ImageScope): RegistryError {
    if (error instanceof RegistryError) return error;
    return new RegistryError(`cannot read ${scope.host}/${scope.path}: ${formatError(error)}`, {
      code: 'Error',
      retryable: true,
      context: { image: scope.imageKey, repository: scope.repository },
      cause: error,
    });
  }

  function keep<V>(map: Map<string, V>, key: string, value: V): V {
    if (map.size >= DIGESTS_KEPT) map.delete(map.keys().next().value!);
    map.set(key, value);
    return value;
  }

  async function pushTime(
    client: RegistryClient,
    scope: ImageScope,
    digest: string,
  ): Promise<Pick<ImageCandidate, 'pushedAt' | 'pushedFrom'>> {
    let pending = created.get(digest);
    if (pending === undefined) {
      pending = createdOf(client, scope, digest, now()).then((value) => value ?? null);
      void keep(created, digest, pending);
      pending.catch(() => created.delete(digest));
    }
    const found = await pending;
    if (found) return { pushedAt: found.at, pushedFrom: found.from };
    const seen = firstSeen.get(digest) ?? keep(firstSeen, digest, now());
    return { pushedAt: seen, pushedFrom: 'first-seen' };
  }

  async function readOne(
    entry: Entry,
    client: RegistryClient,
    scope: ImageScope,
    tag: string,
    needs: PendingNeeds,
  ): Promise<ImageCandidate | undefined> {
    let image = entry.images.get(tag);
    if (image === undefined) {
      image = headTag(client, scope, tag).then((value) => value ?? null);
      entry.images.set(tag, image);
      image.catch(() => entry.images.delete(tag));
    }
    const tagged = await image;
    if (tagged === null) return undefined;
    if (!firstSeen.has(tagged.digest)) keep(firstSeen, tagged.digest, now());
    const time = needs.pushTime
      ? await pushTime(client, scope, tagged.digest)
      : { pushedAt: EPOCH, pushedFrom: 'unread' as const };
    return {
      tag,
      digest: tagged.digest,
      ...time,
      ...(tagged.mediaType ? { mediaType: tagged.mediaType } : {}),
    };
  }

  return {
    scopeOf,

    async list(imageKey): Promise<ImageListing> {
      const scope = scopeOf(imageKey);
      let entry: Entry;
      try {
        entry = await entryFor(imageKey);
      } catch (error) {
        throw wrap(error, scope);
      }
      return {
        imageKey,
        repository: { uri: scope.repository, name: `${scope.host}/${scope.path}` },
        candidates: entry.tags.tags.map((tag) => ({
          tag,
          digest: '',
          pushedAt: EPOCH,
          pending: true as const,
        })),
        skipped: entry.tags.skipped,
        fetchedAt: entry.fetchedAt,
        pages: entry.tags.pages,
      };
    },

    async readPending(imageKey, pending, needs) {
      const scope = scopeOf(imageKey);
      const client = clientFor(scope);
      try {
        // The listing the candidates came from (a pass lists before it selects).
        const entry = entries.get(imageKey) ?? (await entryFor(imageKey));
        // Every read settles before the first failure is thrown: none outlives the pass.
        const settled = await Promise.allSettled(
          pending.map((candidate) => readOne(entry, client, scope, candidate.tag, needs)),
        );
        const failed = settled.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
        return new Map(
          pending.map((candidate, index) => {
            const result = settled[index]!;
            return [candidate.tag, result.status === 'fulfilled' ? result.value : undefined];
          }),
        );
      } catch (error) {
        throw wrap(error, scope);
      }
    },

    scanFindings: () => Promise.resolve(NO_SCAN),

    invalidate(imageKeys) {
      for (const imageKey of imageKeys ?? [...new Set([...entries.keys(), ...inFlight.keys()])]) {
        entries.delete(imageKey);
        generations.set(imageKey, (generations.get(imageKey) ?? 0) + 1);
      }
    },
  };
}
