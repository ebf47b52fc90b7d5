/**
 * DescribeImages pages without the SDK's per-call middleware. At a fleet's thousand calls per
 * scan that middleware (schema serialisers, endpoint resolution per call, user agent, each step
 * spreading the client's configuration into a fresh object) cost more CPU than the HTTP and the
 * JSON together, so this path keeps only the parts a call needs, all of them the client's own:
 *
 * - the endpoint, resolved once per client by the client's endpoint rules;
 * - SigV4 signing by the SDK's signer with the client's credential provider;
 * - the client's HTTP handler (its kept-alive sockets and timeouts);
 * - the client's retry strategy (adaptive: its rate limiter and retry quota are shared with
 *   the SDK's own calls on that client), with the SDK's error classification and its
 *   Retry-After reading; `maxAttempts` counts the same.
 *
 * A failed answer becomes the error the SDK would throw (an ECRServiceException named by the
 * answer's error type, with status and request id), so errors.ts reads it the same way.
 */
import { ECRServiceException, type ECRClient } from '@aws-sdk/client-ecr';
import { getRetryAfterHint, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  HttpRequest,
  HttpResponse,
  RetryErrorInfo,
  RetryErrorType,
  RetryStrategy,
  RetryStrategyV2,
} from '@smithy/types';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallOutcome } from './clients.js';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.DescribeImages';

export interface LeanInput {
  readonly registryId: string;
  readonly repositoryName: string;
  readonly filter: { readonly tagStatus: 'TAGGED' };
  readonly maxResults: number;
  readonly nextToken?: string;
}

/** A successful page's wire body; its images are checked by ListingBuilder. */
export interface LeanPage {
  readonly imageDetails?: unknown;
  readonly nextToken?: string;
}

interface Prepared {
  readonly url: URL;
  readonly signer: SignatureV4;
}

export interface LeanPagesOptions {
  readonly userAgent: string;
  /** Every attempt's outcome, for metrics. */
  readonly onCall?: (operation: string, outcome: CallOutcome) => void;
}

export class LeanPages {
  private readonly prepared = new WeakMap<ECRClient, Promise<Prepared>>();

  constructor(private readonly options: LeanPagesOptions) {}

  /**
   * One page, retried as the client's retry strategy decides; throws the last failure.
   * `endpoint`: the one the client was made with (aws.endpoint, AWS_ENDPOINT_URL_ECR), if any.
   */
  async read(client: ECRClient, endpoint: string | undefined, input: LeanInput): Promise<LeanPage> {
    const prepared = await this.prepare(client, endpoint);
    const strategy = await client.config.retryStrategy();
    if (!isStrategyV2(strategy)) throw new Error('the ECR client has no token-based retry strategy');
    let token = await strategy.acquireInitialRetryToken('');
    for (;;) {
      try {
        const page = await send(client, prepared, input, this.options.userAgent);
        strategy.recordSuccess(token);
        this.options.onCall?.('DescribeImages', 'ok');
        return page;
      } catch (error) {
        const info = retryInfo(error);
        this.options.onCall?.('DescribeImages', info.errorType === 'THROTTLING' ? 'throttled' : 'error');
        // Throws when the strategy allows no further attempt (or its retry quota is spent).
        token = await strategy.refreshRetryTokenForRetry(token, info).catch(() => {
          throw error;
        });
        const delay = token.getRetryDelay();
        if (delay > 0) await sleep(delay);
      }
    }
  }

  private prepare(client: ECRClient, endpoint: string | undefined): Promise<Prepared> {
    let pending = this.prepared.get(client);
    if (!pending) {
      pending = prepareClient(client, endpoint);
      this.prepared.set(client, pending);
      pending.catch(() => this.prepared.delete(client));
    }
    return pending;
  }
}

async function prepareClient(client: ECRClient, endpoint: string | undefined): Promise<Prepared> {
  const config = client.config;
  const region = await config.region();
  const resolved = config.endpointProvider({
    Region: region,
    UseFIPS: await config.useFipsEndpoint(),
    UseDualStack: await config.useDualstackEndpoint(),
    ...(endpoint ? { Endpoint: endpoint } : {}),
  });
  const signer = new SignatureV4({
    credentials: config.credentials,
    region,
    service: 'ecr',
    sha256: config.sha256,
  });
  return { url: new URL(resolved.url.href), signer };
}

async function send(
  client: ECRClient,
  prepared: Prepared,
  input: LeanInput,
  userAgent: string,
): Promise<LeanPage> {
  const { url } = prepared;
  const body = JSON.stringify(input);
  const request: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': TARGET,
      'user-agent': userAgent,
    },
    body,
  };
  const signed = await prepared.signer.sign(request);
  const { response } = (await client.config.requestHandler.handle(signed)) as { response: HttpResponse };
  const text = await readText(response.body);
  if (response.statusCode !== 200) throw answerError(response, text);
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch {
    throw serviceError(response, 'SerializationException', 'the DescribeImages answer is not JSON');
  }
  const valid =
    typeof page === 'object' &&
    page !== null &&
    !Array.isArray(page) &&
    ['string', 'undefined'].includes(typeof (page as { nextToken?: unknown }).nextToken);
  if (!valid)
    throw serviceError(response, 'SerializationException', 'the DescribeImages answer is not a page');
  return page as LeanPage;
}

/** AWS JSON 1.1 errors: the type in `x-amzn-errortype` or `__type` (namespace and URI cut off). */
function answerError(response: HttpResponse, text: string): ECRServiceException {
  let body: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) body = parsed;
  } catch {
    // Not JSON (a proxy's page): named by the status alone.
  }
  const header = headerOf(response, 'x-amzn-errortype');
  const raw = header ?? (typeof body.__type === 'string' ? body.__type : undefined);
  const name = raw?.split(':')[0]?.split('#').pop() || `Http${response.statusCode}`;
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : name;
  return serviceError(response, name, message);
}

function serviceError(response: HttpResponse, name: string, message: string): ECRServiceException {
  const requestId = headerOf(response, 'x-amzn-requestid');
  const error = new ECRServiceException({
    name,
    $fault: response.statusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: response.statusCode, ...(requestId ? { requestId } : {}) },
    message,
  });
  // Where the retry strategy finds Retry-After (as the SDK's own errors carry it).
  Object.defineProperty(error, '$response', { value: response, enumerable: false });
  return error;
}

function isStrategyV2(strategy: RetryStrategy | RetryStrategyV2): strategy is RetryStrategyV2 {
  return 'acquireInitialRetryToken' in strategy;
}

function retryInfo(error: unknown): RetryErrorInfo {
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  const errorType: RetryErrorType = isThrottlingError(sdkError)
    ? 'THROTTLING'
    : isTransientError(sdkError)
      ? 'TRANSIENT'
      : isServerError(sdkError)
        ? 'SERVER_ERROR'
        : 'CLIENT_ERROR';
  const response = (error as { $response?: HttpResponse }).$response;
  const retryAfterHint = response ? getRetryAfterHint(response) : undefined;
  return { errorType, ...(retryAfterHint ? { retryAfterHint } : {}) };
}

function headerOf(response: HttpResponse, name: string): string | undefined {
  for (const [key, value] of Object.entries(response.headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

async function readText(body: unknown): Promise<string> {
  if (typeof body !== 'object' || body === null || !(Symbol.asyncIterator in body)) return '';
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
