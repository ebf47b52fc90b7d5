/**
 * Delivers JSON messages to one HTTP receiver behind the reconciliation: `enqueue` only
 * queues (a bounded queue; when it is full the message is dropped, logged and counted, so a
 * receiver that is down never holds memory or a reconciliation), and a single sender posts
 * them in order. A network error, a timeout, 408, 429 or 5xx is retried after `Retry-After`
 * or an exponential backoff (1 s, 2 s, 4 s … up to 30 s), `maxAttempts` in all; any other
 * answer but 2xx gives up at once. `flush` waits for the queue, at most `flushTimeoutMs`.
 * The receiver's URL is a secret (Slack's carries its token): logs name the receiver only.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';

export interface DeliveryMessage {
  /** What happened, e.g. `image.update.committed`; sent as `X-Drawbridge-Event`. */
  readonly event: string;
  readonly body: unknown;
}

export interface DeliveryOptions {
  /** How logs and metrics name the receiver (never its URL). */
  readonly name: string;
  readonly url: string;
  /** With a secret: `X-Drawbridge-Signature-256: sha256=<HMAC-SHA256 of the body, hex>`. */
  readonly secret?: string;
  readonly logger: Logger;
  readonly userAgent: string;
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxQueued?: number;
  readonly flushTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called per message: delivered, given up on, or dropped from a full queue. */
  readonly onResult?: (outcome: 'ok' | 'failed' | 'dropped') => void;
}

export interface Delivery {
  enqueue(message: DeliveryMessage): void;
  flush(): Promise<void>;
}

const RETRIED = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

export function createDelivery(options: DeliveryOptions): Delivery {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? 5;
  const maxQueued = options.maxQueued ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { logger } = options;
  const queue: DeliveryMessage[] = [];
  let running: Promise<void> | undefined;
  let closing = false;

  type Attempt =
    | { readonly outcome: 'ok' }
    | { readonly outcome: 'retry' | 'fail'; readonly problem: string; readonly retryAfterMs?: number };

  async function post(message: DeliveryMessage, id: string, text: string): Promise<Attempt> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': options.userAgent,
      'x-drawbridge-event': message.event,
      'x-drawbridge-delivery': id,
    };
    if (options.secret !== undefined)
      headers['x-drawbridge-signature-256'] =
        `sha256=${createHmac('sha256', options.secret).update(text).digest('hex')}`;
    let response: Response;
    try {
      response = await send(options.url, {
        method: 'POST',
        headers,
        body: text,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { outcome: 'retry', problem: timedOut ? `no answer in ${timeoutMs} ms` : 'unreachable' };
    }
    // The body is not read beyond what frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return { outcome: 'ok' };
    const wait = retryAfter(response.headers.get('retry-after'));
    return {
      outcome: RETRIED.has(response.status) ? 'retry' : 'fail',
      problem: `HTTP ${response.status}`,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }

  async function deliver(message: DeliveryMessage): Promise<void> {
    const id = randomUUID();
    const text = JSON.stringify(message.body);
    for (let attempt = 1; ; attempt += 1) {
      const tried = await post(message, id, text);
      if (tried.outcome === 'ok') {
        options.onResult?.('ok');
        return;
      }
      if (tried.outcome === 'fail' || attempt >= maxAttempts || closing) {
        logger.warn(
          { receiver: options.name, event: message.event, attempts: attempt, problem: tried.problem },
          'notification not delivered; given up',
        );
        options.onResult?.('failed');
        return;
      }
      const wait = Math.min(tried.retryAfterMs ?? 1_000 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      logger.debug(
        { receiver: options.name, event: message.event, attempt, problem: tried.problem, retryInMs: wait },
        'notification not delivered; retrying',
      );
      await sleep(wait);
    }
  }

  async function drain(): Promise<void> {
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) await deliver(message);
    running = undefined;
  }

  return {
    enqueue(message) {
      if (queue.length >= maxQueued) {
        logger.warn(
          { receiver: options.name, event: message.event, queued: queue.length },
          'notification queue full; message dropped',
        );
        options.onResult?.('dropped');
        return;
      }
      queue.push(message);
      running ??= drain();
    },
    async flush() {
      if (running === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), options.flushTimeoutMs ?? 10_000);
      });
      const outcome = await Promise.race([running.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'late') {
        // Shutting down: what is left is given up (logged), not waited for.
        closing = true;
        const left = queue.splice(0);
        for (let n = 0; n < left.length; n += 1) options.onResult?.('dropped');
        logger.warn(
          { receiver: options.name, dropped: left.length },
          'notifications left undelivered at shutdown',
        );
      }
    },
  };
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
