/**
 * One ECRClient per (region, endpoint, role): adaptive retries (client-side rate limiting
 * after throttling, exponential backoff with jitter for throttling and 5xx), and a middleware
 * that reports every attempt's outcome for the metrics.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import type { CredentialProvider } from '../../aws-credentials.js';
import { assumeRoleProvider } from './credentials.js';
import { isThrottling } from './errors.js';

export type CallOutcome = 'ok' | 'throttled' | 'error';

export interface ClientKey {
  readonly region: string;
  readonly endpoint?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

export interface ClientPoolOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => Date;
  readonly credentials?: CredentialProvider;
  readonly maxAttempts: number;
  readonly onCall?: (operation: string, outcome: CallOutcome) => void;
}

export class ClientPool {
  private readonly clients = new Map<string, ECRClient>();
  private readonly roles = new Map<string, CredentialProvider>();

  constructor(private readonly options: ClientPoolOptions) {}

  get(key: ClientKey): ECRClient {
    const id = JSON.stringify([key.region, key.endpoint ?? '', key.roleArn ?? '', key.externalId ?? '']);
    const known = this.clients.get(id);
    if (known) return known;
    const credentials = key.roleArn
      ? this.role(key.roleArn, key.externalId, key.region)
      : this.options.credentials;
    const client = new ECRClient({
      region: key.region,
      ...(key.endpoint ? { endpoint: key.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      retryMode: 'adaptive',
      maxAttempts: this.options.maxAttempts,
      // The middleware stack is resolved once per command class, not on every call; all of
      // drawbridge's middleware sits on the client.
      cacheMiddleware: true,
    });
    const onCall = this.options.onCall;
    if (onCall) {
      // The deserialize step runs inside the retry loop, so this sees every attempt.
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          try {
            const output = await next(args);
            onCall(operation, 'ok');
            return output;
          } catch (error) {
            onCall(operation, isThrottling(error) ? 'throttled' : 'error');
            throw error;
          }
        },
        { step: 'deserialize', name: 'drawbridgeCallOutcome', priority: 'high' },
      );
    }
    this.clients.set(id, client);
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private role(roleArn: string, externalId: string | undefined, region: string): CredentialProvider {
    const id = JSON.stringify([roleArn, externalId ?? '', region]);
    let provider = this.roles.get(id);
    if (!provider) {
      const endpoint = configuredEndpoint(this.options.env, 'STS');
      provider = assumeRoleProvider({
        roleArn,
        region,
        now: this.options.now,
        ...(externalId ? { externalId } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
      });
      this.roles.set(id, provider);
    }
    return provider;
  }
}

/**
 * The endpoint the SDK would take from the environment (`AWS_ENDPOINT_URL_<SERVICE>`, then
 * `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), read from the env we were
 * given rather than process.env, so callers and tests can pass their own.
 */
export function configuredEndpoint(env: NodeJS.ProcessEnv, service: 'ECR' | 'STS'): string | undefined {
  if (env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']?.toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env['AWS_ENDPOINT_URL'] || undefined;
}
