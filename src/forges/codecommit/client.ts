/**
 * The CodeCommitClient a forge talks through: the region of `forge.region`, the endpoint
 * override (the emulator, a VPC endpoint) when given, standard retries (backoff with jitter
 * for throttling and 5xx), and credentials as the SDK's default chain finds them, except
 * that static keys in the environment drawbridge was given win, as they would in the chain,
 * so a caller (or a test) passes its own environment rather than process.env.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import type { Redactor } from '../../log/redact.js';

export interface ClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly redactor: Redactor;
  /** Attempts per call, the first included. */
  readonly maxAttempts?: number;
}

export function codeCommitClient(options: ClientOptions): CodeCommitClient {
  const credentials = staticCredentials(options.env);
  if (credentials) {
    options.redactor.add(credentials.secretAccessKey);
    options.redactor.add(credentials.sessionToken);
  }
  return new CodeCommitClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 3,
  });
}

interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

function staticCredentials(env: NodeJS.ProcessEnv): StaticCredentials | undefined {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
