import { dirname } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { Config } from '../../config/schema.js';
import type { AwsCredentials, CredentialProvider } from '../../aws-credentials.js';
import { createRuntime } from '../../runtime.js';
import type { CliIO, ExitCode } from '../io.js';
import { commandContext, progressLine } from '../context.js';
import { renderJsonLines, renderStatus } from '../render.js';

/** `status` is a dry-run reconciliation rendered as a table: in Git now, eligible next, and why. */
export async function statusCommand(
  options: { config?: string; env?: string[]; json?: boolean; logLevel?: string },
  io: CliIO,
): Promise<ExitCode> {
  const context = await commandContext(options, io);
  const progress = progressLine(io);
  const { config, file } = context.loaded;
  const credentials = emulatorCredentials(config, io.env);
  const runtime = await createRuntime({
    config,
    logger: context.logger,
    env: io.env,
    baseDir: dirname(file),
    redactor: context.redactor,
    onProgress: progress,
    quiet: true,
    ...(credentials ? { credentials } : {}),
  });
  try {
    const result = await runtime.reconciler.reconcile({
      trigger: 'manual',
      ...(options.env ? { environments: options.env } : {}),
      dryRun: true,
    });
    progress.end();
    io.stdout.write(options.json ? renderJsonLines(result) : renderStatus(result, new Date()));
    return result.environments.some((env) => env.status === 'failed') || result.registryFailures.length > 0
      ? 1
      : 0;
  } finally {
    await runtime.close();
  }
}

/** Placeholder keys for an emulator: it does not check signatures, and real keys never go to it. */
const EMULATOR_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDDRAWBRIDGELOCAL',
  secretAccessKey: 'drawbridge-local-emulator',
};

/**
 * When `aws.endpoint` is on this machine (the demo's ECR emulator, LocalStack), the SDK's
 * default chain is still asked first; only when it has no credentials at all are placeholder
 * keys used, so `status` works against such a config with no AWS_* variables set. Any other
 * endpoint gets the default chain as usual (undefined).
 */
export function emulatorCredentials(config: Config, env: NodeJS.ProcessEnv): CredentialProvider | undefined {
  const endpoint = config.aws.endpoint;
  if (endpoint === undefined || !isLoopback(endpoint)) return undefined;
  if (env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) return undefined;
  let resolved: Promise<AwsCredentials> | undefined;
  return () => {
    resolved ??= defaultChain(config, env).catch(() => EMULATOR_CREDENTIALS);
    return resolved;
  };
}

async function defaultChain(config: Config, env: NodeJS.ProcessEnv): Promise<AwsCredentials> {
  const region = config.aws.region ?? env['AWS_REGION'] ?? 'us-east-1';
  const client = new ECRClient({ region });
  try {
    const found = await client.config.credentials();
    return {
      accessKeyId: found.accessKeyId,
      secretAccessKey: found.secretAccessKey,
      ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}),
      ...(found.expiration ? { expiration: found.expiration } : {}),
    };
  } finally {
    client.destroy();
  }
}

export function isLoopback(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
