/**
 * An OCI registry emulator on loopback for what a local Distribution server does not do:
 * Docker Hub's pull quota (`ratelimit-limit` / `ratelimit-remaining` on manifest GETs, 429
 * with `Retry-After` once spent), GHCR's anonymous token flow (a Bearer challenge whose realm
 * hands out tokens without credentials), tag lists paged at a registry-chosen size with
 * `Link` headers, and injected 429s and 503s. Images live in memory; digests are the sha256
 * of the manifest bytes, as in every registry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface OciEmulatorOptions {
  /** Tags per page whatever `n` asks (Docker Hub and GHCR cap pages); default 100. */
  readonly pageSize?: number;
  /** Docker Hub's quota: manifest GETs allowed per window; unlimited when absent. */
  readonly pullQuota?: number;
  /** Seconds a spent quota asks to wait (Retry-After); default 30. */
  readonly quotaRetryAfter?: number;
  /** GHCR's flow: every /v2/ request needs a Bearer token from `/token` (granted to anyone). */
  readonly anonymousTokens?: boolean;
}

export interface OciEmulator {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** Adds an image under `repository:tag`; answers its digest. */
  push(repository: string, tag: string, created: Date): string;
  /**
   * Lists `tags` for `repository` beside its images, whatever they hold (control characters,
   * newlines, 500-character tags): what a hostile or broken registry answers.
   */
  listExtraTags(repository: string, tags: readonly string[]): void;
  /** Serves other bytes than its digest for the manifest of `repository:tag` (a tampered answer). */
  tamper(repository: string, tag: string): void;
  /** The next `count` requests to /v2/<name>/… answer `status` (429 with Retry-After `seconds`). */
  failNext(count: number, status: 429 | 503, seconds?: number): void;
  /** Requests by kind: `tags`, `head`, `manifest`, `blob`, `token`, `429`, `503`. */
  readonly counts: Map<string, number>;
  /** The `n` and `last` each tag-list request carried, in order. */
  readonly tagQueries: { n: string | null; last: string | null }[];
  close(): Promise<void>;
}

interface Image {
  readonly manifest: Buffer;
  readonly digest: string;
  readonly config: Buffer;
  readonly configDigest: string;
}

export async function startOciEmulator(options: OciEmulatorOptions = {}): Promise<OciEmulator> {
  const pageSize = options.pageSize ?? 100;
  const repositories = new Map<string, Map<string, Image>>();
  const byDigest = new Map<string, Image>();
  const counts = new Map<string, number>();
  const tagQueries: { n: string | null; last: string | null }[] = [];
  const tokens = new Set<string>();
  const extraTags = new Map<string, readonly string[]>();
  const tampered = new Set<string>();
  const faults: { status: 429 | 503; seconds: number }[] = [];
  let remaining = options.pullQuota;
  const count = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };

  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', `http://${host}`);
    if (url.pathname === '/token') {
      count('token');
      const token = randomBytes(12).toString('hex');
      tokens.add(token);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    if (!url.pathname.startsWith('/v2/')) {
      response.writeHead(404).end();
      return;
    }
    const fault = faults.shift();
    if (fault) {
      count(String(fault.status));
      response
        .writeHead(fault.status, fault.seconds > 0 ? { 'retry-after': String(fault.seconds) } : {})
        .end();
      return;
    }
    if (options.anonymousTokens) {
      const header = request.headers.authorization ?? '';
      if (!header.startsWith('Bearer ') || !tokens.has(header.slice(7))) {
        const scope = /^\/v2\/(.+)\/(?:tags|manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
        response
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://${host}/token",service="emulator",scope="repository:${scope}:pull"`,
          })
          .end();
        return;
      }
    }
    const match = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+)|blobs\/([^/]+))$/.exec(url.pathname);
    const images = match ? repositories.get(match[1]!) : undefined;
    if (!match || !images) {
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
      return;
    }
    if (match[2] === 'tags/list') {
      count('tags');
      tagQueries.push({ n: url.searchParams.get('n'), last: url.searchParams.get('last') });
      const asked = Number(url.searchParams.get('n') ?? pageSize);
      const size = Math.min(pageSize, Number.isFinite(asked) && asked > 0 ? asked : pageSize);
      const last = url.searchParams.get('last');
      const all = [...images.keys(), ...(extraTags.get(match[1]!) ?? [])].sort();
      const from = last === null ? 0 : all.findIndex((tag) => tag > last);
      const page = from < 0 ? [] : all.slice(from, from + size);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (from >= 0 && from + size < all.length)
        headers['link'] =
          `</v2/${match[1]}/tags/list?n=${size}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
      response.writeHead(200, headers).end(JSON.stringify({ name: match[1], tags: page }));
      return;
    }
    if (match[3] !== undefined) {
      const reference = decodeURIComponent(match[3]);
      const image = reference.startsWith('sha256:') ? byDigest.get(reference) : images.get(reference);
      if (!image) {
        response.writeHead(404).end();
        return;
      }
      const headers: Record<string, string | number> = {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': image.digest,
        'content-length': image.manifest.length,
      };
      if (request.method === 'HEAD') {
        count('head');
        // HEADs spend none of the quota and tell what is left, as Docker Hub's do.
        if (remaining !== undefined) {
          headers['ratelimit-limit'] = `${options.pullQuota};w=21600`;
          headers['ratelimit-remaining'] = `${Math.max(0, remaining)};w=21600`;
        }
        response.writeHead(200, headers).end();
        return;
      }
      count('manifest');
      if (remaining !== undefined) {
        if (remaining <= 0) {
          count('429');
          response
            .writeHead(429, {
              'retry-after': String(options.quotaRetryAfter ?? 30),
              'ratelimit-limit': `${options.pullQuota};w=21600`,
              'ratelimit-remaining': '0;w=21600',
            })
            .end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
          return;
        }
        remaining -= 1;
        headers['ratelimit-limit'] = `${options.pullQuota};w=21600`;
        headers['ratelimit-remaining'] = `${remaining};w=21600`;
      }
      const body =
        tampered.has(`${match[1]!}:${reference}`) || tampered.has(`${match[1]!}:${image.digest}`)
          ? Buffer.concat([image.manifest, Buffer.from(' ')])
          : image.manifest;
      headers['content-length'] = body.length;
      response.writeHead(200, headers).end(body);
      return;
    }
    count('blob');
    const blob = [...byDigest.values()].find((image) => image.configDigest === match[4]);
    if (!blob) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob.config);
  }

  const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return {
    host,
    counts,
    tagQueries,
    push(repository, tag, created) {
      const config = Buffer.from(
        JSON.stringify({ created: created.toISOString(), os: 'linux', architecture: 'amd64' }),
      );
      const configDigest = sha(config);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: configDigest,
            size: config.length,
          },
          layers: [],
        }),
      );
      const image = { manifest, digest: sha(manifest), config, configDigest };
      let images = repositories.get(repository);
      if (!images) {
        images = new Map();
        repositories.set(repository, images);
      }
      images.set(tag, image);
      byDigest.set(image.digest, image);
      return image.digest;
    },
    listExtraTags(repository, tags) {
      extraTags.set(repository, tags);
    },
    tamper(repository, tag) {
      tampered.add(`${repository}:${tag}`);
      const digest = repositories.get(repository)?.get(tag)?.digest;
      if (digest) tampered.add(`${repository}:${digest}`);
    },
    failNext(times, status, seconds = 0) {
      for (let i = 0; i < times; i += 1) faults.push({ status, seconds });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
