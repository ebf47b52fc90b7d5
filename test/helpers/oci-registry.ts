/**
 * A real OCI Distribution server for the tests: Debian's `docker-registry` (the CNCF
 * Distribution project's registry) on 127.0.0.1, storing in a temporary folder, optionally
 * behind htpasswd basic auth. Images are pushed through the registry's own upload API (no
 * docker engine here): a config blob (with `created`), one small layer and an OCI manifest
 * (with the `org.opencontainers.image.created` annotation), or an index of several.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * Whether docker-registry and htpasswd are installed (apt-get install docker-registry
 * apache2-utils; `.ci/run` does). Under CI they must be: there the tests fail, never skip.
 */
export function registryInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  const found = ['docker-registry', 'htpasswd'].every((program) =>
    (env['PATH'] ?? '').split(':').some((dir) => {
      try {
        accessSync(join(dir, program), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
  return found || env['CI'] === 'true';
}

export interface TestRegistry {
  /** Requests the token server answered, by outcome (`granted`, `refused`); token mode only. */
  readonly tokenRequests: Map<string, number>;
  /** `127.0.0.1:PORT`: the host part of an image reference. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Pushes one image as `repository:tag`; answers its manifest digest. */
  push(repository: string, tag: string, options?: PushOptions): Promise<string>;
  /** Pushes an index of one image per platform (`linux/amd64`…); answers the index digest. */
  pushIndex(
    repository: string,
    tag: string,
    platforms: readonly string[],
    options?: PushOptions,
  ): Promise<string>;
  /**
   * Many tags of one repository fast: one config blob and layer, then one manifest per tag whose
   * `org.opencontainers.image.created` annotation is the tag's time (so each has its digest).
   * Answers the digests by tag.
   */
  pushTags(repository: string, tags: readonly TagToPush[]): Promise<Map<string, string>>;
  /** Headers a pushing client sends (basic auth as the first user, when there are users). */
  readonly authorization: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface TagToPush {
  readonly tag: string;
  readonly created: Date;
}

export interface PushOptions {
  /** The image's creation time (config `created` and the manifest annotation); default now. */
  readonly created?: Date;
  /** Whether the manifest carries org.opencontainers.image.created; default true. */
  readonly annotate?: boolean;
}

export interface TestRegistryOptions {
  /** User name → password, for htpasswd basic auth (or the token server's, with `token`); none: anonymous. */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * The Bearer token flow instead of htpasswd: a token server written for the tests signs
   * JWTs the registry verifies against its certificate (Distribution's `auth.token`). It
   * grants pull on every repository to the users, and to anonymous callers on `public/…`.
   */
  readonly token?: { readonly expiresIn?: number };
}

export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'drawbridge-registry-'));
  const port = await freePort();
  const users = Object.entries(options.users ?? {});
  const tokenRequests = new Map<string, number>();
  const tokens = options.token
    ? await startTokenServer(dir, options.users ?? {}, options.token.expiresIn ?? 300, tokenRequests)
    : undefined;
  const auth = tokens
    ? `auth:\n  token:\n    realm: ${tokens.realm}\n    service: ${TOKEN_SERVICE}\n    issuer: ${TOKEN_ISSUER}\n    rootcertbundle: ${tokens.certFile}\n`
    : users.length === 0
      ? ''
      : `auth:\n  htpasswd:\n    realm: drawbridge-test\n    path: ${join(dir, 'htpasswd')}\n`;
  if (users.length > 0 && !tokens) {
    const lines = await Promise.all(users.map(([user, password]) => htpasswdLine(user, password)));
    await writeFile(join(dir, 'htpasswd'), lines.join(''));
  }
  await writeFile(
    join(dir, 'config.yml'),
    `version: 0.1
log:
  level: error
  accesslog: { disabled: true }
storage:
  filesystem: { rootdirectory: ${join(dir, 'data')} }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:${port}
${auth}`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, () => stderr);
  const first = users[0];
  const authorization: Record<string, string> =
    first && !tokens
      ? { authorization: `Basic ${Buffer.from(`${first[0]}:${first[1]}`).toString('base64')}` }
      : {};
  /** What the pushing helper sends for `repository`: a token of its own minting (one per repository), or Basic. */
  const pushTokens = new Map<string, string>();
  const pushAuth = (repository: string): Record<string, string> => {
    if (!tokens) return authorization;
    let token = pushTokens.get(repository);
    if (token === undefined) {
      token = tokens.mint(repository, ['pull', 'push']);
      pushTokens.set(repository, token);
    }
    return { authorization: `Bearer ${token}` };
  };

  const layers = new Map<string, { bytes: Buffer; digest: string | undefined }>();
  const upload = async (repository: string, body: Buffer): Promise<string> => {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    // Start an upload session, then PUT the whole blob to it with its digest.
    const session = await fetch(`${url}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: pushAuth(repository),
    });
    const location = session.headers.get('location');
    if (session.status !== 202 || location === null)
      throw new Error(`blob upload to ${repository} answered ${session.status}: ${await session.text()}`);
    const target = new URL(location, url);
    target.searchParams.set('digest', digest);
    const response = await fetch(target, {
      method: 'PUT',
      headers: { ...pushAuth(repository), 'content-type': 'application/octet-stream' },
      body,
    });
    if (response.status !== 201)
      throw new Error(`blob upload to ${repository} answered ${response.status}: ${await response.text()}`);
    return digest;
  };
  const putManifest = async (
    repository: string,
    reference: string,
    mediaType: string,
    body: Buffer,
  ): Promise<string> => {
    const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { ...pushAuth(repository), 'content-type': mediaType },
      body,
    });
    if (response.status !== 201)
      throw new Error(
        `manifest PUT ${repository}:${reference} answered ${response.status}: ${await response.text()}`,
      );
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  };
  /** One image, put under `reference` (default its digest). */
  const image = async (
    repository: string,
    created: Date,
    platform?: string,
    reference?: string,
    annotate = true,
  ): Promise<{ digest: string; size: number }> => {
    const [os = 'linux', architecture = 'amd64'] = (platform ?? 'linux/amd64').split('/');
    const config = Buffer.from(
      JSON.stringify({
        architecture,
        os,
        created: created.toISOString(),
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    );
    const layer = layers.get(repository) ?? {
      bytes: randomBytes(64),
      digest: undefined as string | undefined,
    };
    layers.set(repository, layer);
    const configDigest = await upload(repository, config);
    // One layer per repository, uploaded once: a tag costs its config blob and its manifest.
    layer.digest ??= await upload(repository, layer.bytes);
    const layerDigest = layer.digest;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
        layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.bytes.length }],
        ...(annotate ? { annotations: { 'org.opencontainers.image.created': created.toISOString() } } : {}),
      }),
    );
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    await putManifest(repository, reference ?? digest, OCI_MANIFEST, manifest);
    return { digest, size: manifest.length };
  };

  return {
    host: `127.0.0.1:${port}`,
    url,
    authorization,
    tokenRequests,
    async push(repository, tag, pushOptions = {}) {
      return (
        await image(
          repository,
          pushOptions.created ?? new Date(),
          undefined,
          tag,
          pushOptions.annotate ?? true,
        )
      ).digest;
    },
    async pushTags(repository, tags) {
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      );
      const layer = randomBytes(64);
      const configDigest = await upload(repository, config);
      const layerDigest = await upload(repository, layer);
      const digests = new Map<string, string>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < tags.length) {
          const { tag, created } = tags[next++]!;
          const manifest = Buffer.from(
            JSON.stringify({
              schemaVersion: 2,
              mediaType: OCI_MANIFEST,
              config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
              layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
              annotations: { 'org.opencontainers.image.created': created.toISOString() },
            }),
          );
          digests.set(tag, await putManifest(repository, tag, OCI_MANIFEST, manifest));
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      return digests;
    },
    async pushIndex(repository, tag, platforms, pushOptions = {}) {
      const created = pushOptions.created ?? new Date();
      const manifests = [];
      for (const platform of platforms) {
        const { digest, size } = await image(
          repository,
          created,
          platform,
          undefined,
          pushOptions.annotate ?? true,
        );
        const [os, architecture] = platform.split('/');
        manifests.push({ mediaType: OCI_MANIFEST, digest, size, platform: { os, architecture } });
      }
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
      return putManifest(repository, tag, OCI_INDEX, index);
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await tokens?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const TOKEN_SERVICE = 'drawbridge-test-registry';
const TOKEN_ISSUER = 'drawbridge-test-token-server';

interface TokenServer {
  readonly realm: string;
  readonly certFile: string;
  /** A token granting `actions` on repository `name`. */
  mint(name: string, actions: readonly string[]): string;
  close(): Promise<void>;
}

/**
 * Docker's token protocol (GET realm?service=…&scope=repository:<name>:pull, Basic auth or
 * none) answering RS256 JWTs whose x5c header carries a self-signed certificate the registry
 * trusts (openssl makes it). Users get pull on any repository; anonymous callers only on
 * `public/…`; wrong passwords get 401.
 */
async function startTokenServer(
  dir: string,
  users: Readonly<Record<string, string>>,
  expiresIn: number,
  counts: Map<string, number>,
): Promise<TokenServer> {
  const keyFile = join(dir, 'token-key.pem');
  const certFile = join(dir, 'token-cert.pem');
  await new Promise<void>((resolve, reject) =>
    execFile(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=drawbridge-test-token',
      ],
      (error) =>
        error ? reject(new Error('openssl failed (apt-get install openssl)', { cause: error })) : resolve(),
    ),
  );
  const key = createPrivateKey(await readFile(keyFile));
  const der = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const mint = (name: string, actions: readonly string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ alg: 'RS256', typ: 'JWT', x5c: [der] });
    const body = b64({
      iss: TOKEN_ISSUER,
      sub: 'test',
      aud: TOKEN_SERVICE,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: [{ type: 'repository', name, actions }],
    });
    const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
    return `${head}.${body}.${signature}`;
  };
  const count = (outcome: string): void => {
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  };
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://token.invalid');
    const header = request.headers.authorization ?? '';
    let user: string | undefined;
    if (header.startsWith('Basic ')) {
      const [name = '', password] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      if (users[name] === undefined || users[name] !== password) {
        count('refused');
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"details":"wrong credentials"}');
        return;
      }
      user = name;
    }
    const scope = /^repository:([^:]+):(.+)$/.exec(url.searchParams.get('scope') ?? '');
    const name = scope?.[1] ?? '';
    const granted = scope && (user !== undefined || name.startsWith('public/')) ? ['pull'] : [];
    count(granted.length > 0 ? 'granted' : 'empty');
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        token: mint(name, granted),
        expires_in: expiresIn,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certFile,
    mint,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `user:<bcrypt>` from Apache's htpasswd, the password on its stdin (never its command line). */
function htpasswdLine(user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('htpasswd', ['-Bin', user], (error, stdout) => {
      if (error) reject(new Error('htpasswd failed (apt-get install apache2-utils)', { cause: error }));
      else resolve(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
    });
    child.stdin?.end(`${password}\n`);
  });
}

async function waitUntilUp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr()}`);
    const answered = await fetch(`${url}/v2/`).then(
      (response) => response.status,
      () => undefined,
    );
    if (answered === 200 || answered === 401) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
