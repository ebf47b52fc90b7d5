/**
 * An HTTP server on loopback that speaks the AWS JSON protocols (1.0 and 1.1), so real
 * `@aws-sdk/*` clients talk to it unmodified. Services register by their X-Amz-Target prefix
 * (`AmazonEC2ContainerRegistry_V20150921`, `AmazonSQS`, `AWSEvents`). The server counts calls
 * per operation and injects faults (throttling, 500s, latency) for tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** An AWS-shaped error: `{"__type": type, "message": …}` with an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Extra response headers, e.g. SQS's `x-amzn-query-error`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

/**
 * An answer already serialised as JSON, in chunks: services that send large pages build the
 * text themselves so it never becomes one large string (see ecr-json.ts).
 */
export class RawJson {
  constructor(readonly chunks: readonly Buffer[]) {}
}

export interface RequestContext {
  /** `http://127.0.0.1:PORT` of this server. */
  readonly endpoint: string;
  readonly headers: IncomingMessage['headers'];
}

export interface AwsService {
  /** X-Amz-Target prefix before the dot. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown>;
}

/**
 * A service speaking the AWS query protocol (form-encoded `Action=…` in, XML out), as STS
 * does. Errors thrown as AwsError become an XML `ErrorResponse`.
 */
export interface QueryService {
  /** Counted as `<name>.<Action>`, e.g. `sts.AssumeRole`. */
  readonly name: string;
  readonly actions: readonly string[];
  /** XML namespace of the answers, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`. */
  readonly xmlNamespace: string;
  /** Returns the XML inside `<ActionResult>`. */
  handle(action: string, params: URLSearchParams, context: RequestContext): Promise<string>;
}

export interface FaultPlan {
  /** Answer the next N matching calls with ThrottlingException. */
  throttleNext(count: number, operation?: string): void;
  /** Answer every Nth matching call with a 500 InternalFailure (0 turns it off). */
  failEvery(nth: number, operation?: string): void;
  /** Delay every answer by this many milliseconds. */
  latency(ms: number): void;
  /** Remove all faults. */
  clear(): void;
}

interface FaultState {
  throttle: { remaining: number; operation?: string };
  fail: { nth: number; operation?: string; seen: number };
  latencyMs: number;
}

export interface EmulatorServer {
  readonly endpoint: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Calls answered (successfully or not) per `Prefix.Operation`. */
  calls(operation?: string): number;
  resetCalls(): void;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly services: readonly AwsService[];
  readonly queryServices?: readonly QueryService[];
  readonly port?: number;
  readonly host?: string;
}

export async function startServer(options: StartOptions): Promise<EmulatorServer> {
  const services = new Map(options.services.map((service) => [service.targetPrefix, service]));
  const queryServices = new Map(
    (options.queryServices ?? []).flatMap((service) =>
      service.actions.map((action) => [action, service] as const),
    ),
  );
  const counts = new Map<string, number>();
  const faultState: FaultState = {
    throttle: { remaining: 0 },
    fail: { nth: 0, seen: 0 },
    latencyMs: 0,
  };
  let endpoint = '';

  const server: Server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      sendJson(res, 500, 'application/x-amz-json-1.1', {
        __type: 'InternalFailure',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (
      !target &&
      String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ) {
      await handleQuery(req, res, new URLSearchParams(body));
      return;
    }
    const [prefix = '', operation = ''] = target.split('.');
    const service = services.get(prefix);
    const contentType = service?.contentType ?? 'application/x-amz-json-1.1';
    if (faultState.latencyMs > 0) await delay(faultState.latencyMs);
    if (req.method !== 'POST' || !service || !operation) {
      sendJson(res, 400, contentType, {
        __type: 'UnknownOperationException',
        message: `unknown target ${target}`,
      });
      return;
    }
    const key = `${prefix}.${operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);

    const throttle = faultState.throttle;
    if (throttle.remaining > 0 && (!throttle.operation || throttle.operation === operation)) {
      throttle.remaining -= 1;
      sendJson(res, 400, contentType, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      return;
    }
    const fail = faultState.fail;
    if (fail.nth > 0 && (!fail.operation || fail.operation === operation)) {
      fail.seen += 1;
      if (fail.seen % fail.nth === 0) {
        sendJson(res, 500, contentType, { __type: 'InternalFailure', message: 'injected failure' });
        return;
      }
    }

    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      sendJson(res, 400, contentType, { __type: 'SerializationException', message: 'body is not JSON' });
      return;
    }
    try {
      const output = await service.handle(operation, input, { endpoint, headers: req.headers });
      sendJson(res, 200, contentType, output ?? {});
    } catch (error) {
      if (error instanceof AwsError) {
        sendJson(
          res,
          error.status,
          contentType,
          { __type: error.type, message: error.message },
          error.headers,
        );
        return;
      }
      throw error;
    }
  }

  /** Injected fault for this call, if any: throttling first, then the every-Nth 500. */
  function injectedFault(operation: string): { status: number; type: string; message: string } | undefined {
    const throttle = faultState.throttle;
    if (throttle.remaining > 0 && (!throttle.operation || throttle.operation === operation)) {
      throttle.remaining -= 1;
      return { status: 400, type: 'Throttling', message: 'Rate exceeded' };
    }
    const fail = faultState.fail;
    if (fail.nth > 0 && (!fail.operation || fail.operation === operation)) {
      fail.seen += 1;
      if (fail.seen % fail.nth === 0)
        return { status: 500, type: 'InternalFailure', message: 'injected failure' };
    }
    return undefined;
  }

  async function handleQuery(
    req: IncomingMessage,
    res: ServerResponse,
    params: URLSearchParams,
  ): Promise<void> {
    if (faultState.latencyMs > 0) await delay(faultState.latencyMs);
    const action = params.get('Action') ?? '';
    const service = queryServices.get(action);
    if (req.method !== 'POST' || !service) {
      sendXml(res, 400, errorXml('', 'InvalidAction', `unknown action ${action}`));
      return;
    }
    const key = `${service.name}.${action}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const fault = injectedFault(action);
    if (fault) {
      sendXml(res, fault.status, errorXml(service.xmlNamespace, fault.type, fault.message));
      return;
    }
    try {
      const result = await service.handle(action, params, { endpoint, headers: req.headers });
      sendXml(
        res,
        200,
        `<${action}Response xmlns="${service.xmlNamespace}"><${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      sendXml(res, error.status, errorXml(service.xmlNamespace, error.type, error.message));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;

  const faults: FaultPlan = {
    throttleNext(count, operation) {
      faultState.throttle = operation === undefined ? { remaining: count } : { remaining: count, operation };
    },
    failEvery(nth, operation) {
      faultState.fail = operation === undefined ? { nth, seen: 0 } : { nth, operation, seen: 0 };
    },
    latency(ms) {
      faultState.latencyMs = ms;
    },
    clear() {
      faultState.throttle = { remaining: 0 };
      faultState.fail = { nth: 0, seen: 0 };
      faultState.latencyMs = 0;
    },
  };

  return {
    endpoint,
    port: address.port,
    faults,
    calls(operation) {
      if (operation === undefined) return [...counts.values()].reduce((a, b) => a + b, 0);
      let total = 0;
      for (const [key, count] of counts)
        if (key === operation || key.endsWith(`.${operation}`)) total += count;
      return total;
    },
    resetCalls() {
      counts.clear();
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  contentType: string,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = payload instanceof RawJson ? payload.chunks : [Buffer.from(JSON.stringify(payload), 'utf8')];
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': body.reduce((sum, chunk) => sum + chunk.byteLength, 0),
    'x-amzn-requestid': randomUUID(),
  });
  for (const chunk of body) res.write(chunk);
  res.end();
}

function errorXml(namespace: string, code: string, message: string): string {
  const type = code === 'InternalFailure' ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(xml);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
