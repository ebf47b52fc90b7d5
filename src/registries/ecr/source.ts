/**
 * The ECR image source. One DescribeImages page returns up to 1,000 images with tags, digest,
 * push time, size, media types and scan summary, so a full scan costs Σ ceil(images/1000)
 * calls and nothing per tag. Listings are cached per image key until invalidated (a push
 * event), until `fresh` is asked (a full sweep), or until `cacheTtlMs` passes.
 */
import { DescribeImageScanFindingsCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { RegistryError } from '../../errors.js';
import type {
  ImageCandidate,
  ImageListing,
  ImageSource,
  RepositoryRef,
  ScanFacts,
  SourceBase,
} from '../../registry.js';
import { ClientPool, configuredEndpoint, type CallOutcome, type ClientKey } from './clients.js';
import type { CredentialProvider } from '../../aws-credentials.js';
import { codeOf, toRegistryError } from './errors.js';
import { ListingBuilder, type CompactListing, type PageImage } from './listing.js';
import { mapBounded } from '../../map-bounded.js';
import { drawbridgeVersion } from '../../version.js';
import { LeanPages } from './lean-pages.js';
import { NOT_SCANNED, scanFactsFromFindings } from './scan.js';
import { parseRepositoryUri } from '../../checks/ecr-uri.js';

/** `env`: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECR, AWS_ENDPOINT_URL_STS and credentials. */
export interface EcrSourceOptions extends SourceBase {
  /** Base credentials; default AWS_ACCESS_KEY_ID/SECRET from `env`, else the SDK's default chain. */
  readonly credentials?: CredentialProvider;
  /** Every attempt of every ECR call, for metrics. */
  readonly onCall?: (operation: string, outcome: CallOutcome) => void;
  /** A cached listing older than this is read again; default 10 minutes. */
  readonly cacheTtlMs?: number;
  /** Attempts per ECR call, retries included; default 6. */
  readonly maxAttempts?: number;
}

export interface ListingSummary {
  readonly candidates: number;
  readonly images: number;
  readonly skipped: number;
  readonly pages: number;
  readonly fetchedAt: Date;
  /** Approximate bytes the cached listing takes. */
  readonly bytes: number;
}

export interface ListManyOptions {
  /** Repositories read at once; default aws.maxConcurrency. */
  readonly concurrency?: number;
  /** Ignore cached listings (a full sweep). */
  readonly fresh?: boolean;
  readonly onProgress?: (done: number, total: number, imageKey: string) => void;
}

export interface ListManyResult {
  readonly listed: ReadonlyMap<string, ListingSummary>;
  /** One entry per image key that failed; the others were still read. */
  readonly failed: ReadonlyMap<string, RegistryError>;
}

export interface EcrSource extends ImageSource {
  list(imageKey: string, options?: { readonly fresh?: boolean }): Promise<ImageListing>;
  /**
   * Reads many repositories into the cache, a bounded number at once; per-key failures are
   * collected, never thrown. Take the listings with `list()` afterwards (served from cache).
   */
  listMany(imageKeys: readonly string[], options?: ListManyOptions): Promise<ListManyResult>;
  /** Where an image key's repository is read from. Throws RegistryError for a bad URI. */
  resolve(imageKey: string): ResolvedRepository;
  close(): void;
}

export interface ResolvedRepository {
  readonly repository: RepositoryRef;
  readonly client: ClientKey;
}

interface CacheEntry {
  readonly listing: CompactListing;
  readonly repository: RepositoryRef;
  readonly pages: number;
  readonly fetchedAt: Date;
}

const PAGE_SIZE = 1000;

export function createEcrSource(options: EcrSourceOptions): EcrSource {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const credentials = options.credentials ?? envCredentials(env);
  const pool = new ClientPool({
    env,
    now,
    maxAttempts: options.maxAttempts ?? 6,
    ...(credentials ? { credentials } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const lean = new LeanPages({
    userAgent: `drawbridge/${drawbridgeVersion()}`,
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, { readonly promise: Promise<CacheEntry>; readonly generation: number }>();
  const generations = new Map<string, number>();
  const scans = new Map<string, Promise<ScanFacts>>();

  function resolve(imageKey: string): ResolvedRepository {
    const image = config.images[imageKey];
    if (!image)
      throw new RegistryError(`unknown image key ${imageKey}`, {
        code: 'UnknownImage',
        retryable: false,
        hint: `images known: ${Object.keys(config.images).join(', ') || 'none'}`,
        context: { image: imageKey },
      });
    const parsed = parseRepositoryUri(image.repository);
    if (!parsed)
      throw new RegistryError(`not an ECR repository URI: ${image.repository}`, {
        code: 'InvalidRepositoryUri',
        retryable: false,
        hint: 'expected <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<name>',
        context: { image: imageKey, repository: image.repository },
      });
    const region = image.region ?? config.aws.region ?? parsed.region;
    const endpoint = config.aws.endpoint ?? configuredEndpoint(env, 'ECR');
    const roleArn = image.roleArn ?? config.aws.roleArn;
    return {
      repository: { uri: parsed.uri, registryId: parsed.registryId, region, name: parsed.name },
      client: {
        region,
        ...(endpoint ? { endpoint } : {}),
        ...(roleArn ? { roleArn } : {}),
        ...(roleArn && config.aws.externalId ? { externalId: config.aws.externalId } : {}),
      },
    };
  }

  async function fetchListing(imageKey: string): Promise<CacheEntry> {
    const { repository, client: key } = resolve(imageKey);
    const client = pool.get(key);
    const started = Date.now();
    const builder = new ListingBuilder({ registryId: repository.registryId, name: repository.name });
    let pages = 0;
    let nextToken: string | undefined;
    try {
      do {
        nextToken = await readPage(lean, client, key.endpoint, repository, builder, nextToken);
        pages += 1;
      } while (nextToken);
    } catch (error) {
      throw toRegistryError(error, { imageKey, repository, operation: 'DescribeImages', ...scopeOf(key) });
    }
    const listing = builder.build();
    if (listing.refused.length > 0) {
      // Fixed message, the answer's text escaped and capped in the fields (see ListingBuilder).
      logger.warn(
        { image: imageKey, repository: repository.uri, refused: listing.refused },
        'registry answered images that are refused',
      );
    }
    logger.debug(
      {
        image: imageKey,
        repository: repository.uri,
        pages,
        candidates: listing.candidateCount,
        ms: Date.now() - started,
      },
      'listed repository',
    );
    return { listing, repository, pages, fetchedAt: now() };
  }

  function entryFor(imageKey: string, fresh: boolean): Promise<CacheEntry> {
    const cached = cache.get(imageKey);
    if (!fresh && cached && now().getTime() - cached.fetchedAt.getTime() < ttl)
      return Promise.resolve(cached);
    const generation = generations.get(imageKey) ?? 0;
    const running = inFlight.get(imageKey);
    if (running && running.generation === generation) return running.promise;
    const promise = fetchListing(imageKey)
      .then((entry) => {
        // A listing begun before an invalidation (a push event) may miss the pushed tag.
        if ((generations.get(imageKey) ?? 0) === generation) {
          cache.set(imageKey, entry);
          forgetScans(imageKey);
        }
        return entry;
      })
      .finally(() => {
        if (inFlight.get(imageKey)?.promise === promise) inFlight.delete(imageKey);
      });
    inFlight.set(imageKey, { promise, generation });
    return promise;
  }

  function forgetScans(imageKey: string): void {
    const prefix = `${imageKey}\n`;
    for (const key of scans.keys()) if (key.startsWith(prefix)) scans.delete(key);
  }

  function toListing(imageKey: string, entry: CacheEntry): ImageListing {
    return {
      imageKey,
      repository: entry.repository,
      candidates: entry.listing.candidates(),
      skipped: entry.listing.skipped,
      fetchedAt: entry.fetchedAt,
      pages: entry.pages,
      ...(entry.listing.refused.length > 0 ? { refused: entry.listing.refused } : {}),
    };
  }

  function unresolved(imageKey: string): RepositoryRef {
    const uri = config.images[imageKey]?.repository ?? '';
    return { uri, registryId: '', region: '', name: uri };
  }

  async function readScan(imageKey: string, candidate: ImageCandidate): Promise<ScanFacts> {
    const { repository, client: key } = resolve(imageKey);
    try {
      const output = await pool.get(key).send(
        new DescribeImageScanFindingsCommand({
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: { imageDigest: candidate.digest },
          maxResults: 1,
        }),
      );
      return scanFactsFromFindings(output);
    } catch (error) {
      if (codeOf(error) === 'ScanNotFoundException') return NOT_SCANNED;
      throw toRegistryError(error, {
        imageKey,
        repository,
        operation: 'DescribeImageScanFindings',
        ...scopeOf(key),
      });
    }
  }

  return {
    resolve,

    async list(imageKey, listOptions = {}) {
      return toListing(imageKey, await entryFor(imageKey, listOptions.fresh ?? false));
    },

    async listMany(imageKeys, manyOptions = {}) {
      const listed = new Map<string, ListingSummary>();
      const failed = new Map<string, RegistryError>();
      const keys = [...new Set(imageKeys)];
      await mapBounded(
        keys,
        manyOptions.concurrency ?? config.aws.maxConcurrency,
        async (imageKey) => {
          try {
            const entry = await entryFor(imageKey, manyOptions.fresh ?? false);
            listed.set(imageKey, {
              candidates: entry.listing.candidateCount,
              images: entry.listing.imageCount,
              skipped: entry.listing.skipped,
              pages: entry.pages,
              fetchedAt: entry.fetchedAt,
              bytes: entry.listing.bytes,
            });
          } catch (error) {
            const failure =
              error instanceof RegistryError
                ? error
                : toRegistryError(error, {
                    imageKey,
                    repository: unresolved(imageKey),
                    operation: 'DescribeImages',
                  });
            failed.set(imageKey, failure);
          }
        },
        manyOptions.onProgress,
      );
      return { listed, failed };
    },

    async scanFindings(imageKey, candidate) {
      if (candidate.scan) return candidate.scan;
      const key = `${imageKey}\n${candidate.digest}`;
      let pending = scans.get(key);
      if (!pending) {
        pending = readScan(imageKey, candidate);
        scans.set(key, pending);
        pending.catch(() => scans.delete(key));
      }
      return pending;
    },

    invalidate(imageKeys) {
      for (const imageKey of imageKeys ?? [...new Set([...cache.keys(), ...inFlight.keys()])]) {
        cache.delete(imageKey);
        forgetScans(imageKey);
        generations.set(imageKey, (generations.get(imageKey) ?? 0) + 1);
      }
    },

    close() {
      pool.destroy();
    },
  };
}

/**
 * Static keys from the env we were given, first in line as in the SDK's chain (which reads
 * process.env itself); without them the SDK's default chain takes over.
 */
function envCredentials(env: NodeJS.ProcessEnv): CredentialProvider | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return async () => ({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });
}

/** One DescribeImages page into `builder` (see LeanPages); returns the next token. */
async function readPage(
  lean: LeanPages,
  client: ECRClient,
  endpoint: string | undefined,
  repository: RepositoryRef,
  builder: ListingBuilder,
  nextToken: string | undefined,
): Promise<string | undefined> {
  const page = await lean.read(client, endpoint, {
    registryId: repository.registryId,
    repositoryName: repository.name,
    filter: { tagStatus: 'TAGGED' },
    maxResults: PAGE_SIZE,
    ...(nextToken ? { nextToken } : {}),
  });
  builder.add(page.imageDetails as readonly PageImage[] | undefined);
  return page.nextToken;
}

function scopeOf(key: ClientKey): { roleArn?: string; endpoint?: string } {
  return {
    ...(key.roleArn ? { roleArn: key.roleArn } : {}),
    ...(key.endpoint ? { endpoint: key.endpoint } : {}),
  };
}
