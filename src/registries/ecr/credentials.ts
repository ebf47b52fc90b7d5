/**
 * Credentials: the SDK's default chain (env, profile, web identity / IRSA, Pod Identity,
 * instance role) unless the caller passes a provider; a role from `aws.roleArn` or an image's
 * `roleArn` is assumed through STS with those base credentials, cached and refreshed five
 * minutes before it expires (one STS call in flight per role, however many repositories ask).
 * The STS client is loaded on the first assumption: a config without roles never loads it.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials, CredentialProvider } from '../../aws-credentials.js';

export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly region: string;
  /** STS endpoint override (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL); default the SDK's. */
  readonly endpoint?: string;
  /** Base credentials; default the SDK's default chain. */
  readonly credentials?: CredentialProvider;
  readonly now: () => Date;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  /** Refresh this long before expiry. */
  readonly refreshBeforeMs?: number;
  readonly maxAttempts?: number;
}

export function assumeRoleProvider(options: AssumeRoleOptions): CredentialProvider {
  let sts: STSClient | undefined;
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  let current: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;

  const fresh = (credentials: AwsCredentials | undefined): credentials is AwsCredentials =>
    credentials !== undefined &&
    (credentials.expiration === undefined ||
      credentials.expiration.getTime() - refreshBeforeMs > options.now().getTime());

  async function assume(): Promise<AwsCredentials> {
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    sts ??= new STSClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      retryMode: 'adaptive',
      maxAttempts: options.maxAttempts ?? 5,
    });
    const output = await sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? 'drawbridge',
        DurationSeconds: options.durationSeconds ?? 3600,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      }),
    );
    const issued = output.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey)
      throw new Error(`STS AssumeRole returned no credentials for ${options.roleArn}`);
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken ? { sessionToken: issued.SessionToken } : {}),
      ...(issued.Expiration ? { expiration: issued.Expiration } : {}),
    };
  }

  return async () => {
    if (fresh(current)) return current;
    pending ??= assume().finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current;
  };
}
