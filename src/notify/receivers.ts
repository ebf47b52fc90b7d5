/**
 * The notifiers a config asks for besides EventBridge: its webhooks and Slack, with URLs and
 * secrets read from the environment once, checked (http or https; Slack's https, or http on
 * loopback), and
 * registered with the redactor so no log line can print them. A variable that is not set is
 * a usage error naming it, before any work starts.
 */
import type { Config } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redact.js';
import type { DeliveryOptions } from './delivery.js';
import { fanOut } from './fanout.js';
import { createSlackNotifier } from './slack.js';
import type { Notifier } from './types.js';
import { createWebhookNotifier } from './webhook.js';

export interface ReceiverDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly userAgent: string;
  readonly onResult?: DeliveryOptions['onResult'];
  readonly fetch?: typeof fetch;
}

/** Undefined when the config names neither. */
export function httpNotifier(notify: Config['notify'], deps: ReceiverDeps): Notifier | undefined {
  const notifiers: Notifier[] = [];
  const common = {
    logger: deps.logger,
    userAgent: deps.userAgent,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const extra = { redactor: deps.redactor, ...(deps.onResult ? { onResult: deps.onResult } : {}) };
  const webhooks = notify?.webhooks ?? [];
  if (webhooks.length > 0)
    notifiers.push(
      createWebhookNotifier(
        webhooks.map((hook, index) => {
          const at = `notify.webhooks[${index}]`;
          const url = hook.url ?? fromEnv(deps, hook.urlEnv ?? '', `${at}.urlEnv`);
          checkUrl(url, `${at}`, false);
          if (hook.urlEnv !== undefined) deps.redactor.add(url);
          const secret =
            hook.secretEnv === undefined ? undefined : fromEnv(deps, hook.secretEnv, `${at}.secretEnv`);
          if (secret !== undefined) deps.redactor.add(secret);
          return {
            ...common,
            name: `webhook ${index + 1} (${new URL(url).host})`,
            url,
            ...(secret === undefined ? {} : { secret }),
            ...(hook.timeout === undefined ? {} : { timeoutMs: hook.timeout }),
          };
        }),
        extra,
      ),
    );
  if (notify?.slack) {
    const url = fromEnv(deps, notify.slack.webhookUrlEnv, 'notify.slack.webhookUrlEnv');
    checkUrl(url, 'notify.slack', true);
    deps.redactor.add(url);
    notifiers.push(
      createSlackNotifier(
        {
          ...common,
          name: 'slack',
          url,
          ...(notify.slack.timeout === undefined ? {} : { timeoutMs: notify.slack.timeout }),
        },
        extra,
      ),
    );
  }
  return notifiers.length === 0 ? undefined : fanOut(notifiers);
}

function fromEnv(deps: ReceiverDeps, name: string, at: string): string {
  const value = deps.env[name];
  if (value === undefined || value === '')
    throw new UsageError(`${at}: environment variable ${name} is not set`, {
      hint: `set ${name}, or remove ${at.split('.').slice(0, 2).join('.')}`,
    });
  return value;
}

function checkUrl(text: string, at: string, httpsOnly: boolean): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // Plain HTTP to Slack only on loopback (a local relay, a test receiver).
  const loopback = url !== undefined && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  const allowed = httpsOnly && !loopback ? ['https:'] : ['https:', 'http:'];
  // The URL itself is never printed: it may carry a token.
  if (url === undefined || !allowed.includes(url.protocol))
    throw new UsageError(`${at}: the receiver URL is not an ${httpsOnly ? 'https' : 'http(s)'} URL`, {
      hint: httpsOnly
        ? 'Slack incoming webhooks are https://hooks.slack.com/services/…'
        : 'e.g. https://hooks.example.com/drawbridge',
    });
}
