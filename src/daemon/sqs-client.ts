import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config/schema.js';

/** `https://sqs.<region>.amazonaws.com[.cn]/<account>/<name>` (and the legacy `<region>.queue.` host). */
const SQS_HOST = /^(?:sqs\.)?(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.(?:queue\.)?amazonaws\.com(?:\.cn)?$/;

export function regionOfQueueUrl(queueUrl: string): string | undefined {
  try {
    return SQS_HOST.exec(new URL(queueUrl).hostname)?.groups?.['region'];
  } catch {
    return undefined;
  }
}

/**
 * The queue's client: region from the queue URL; with `aws.endpoint` (an emulator, a VPC
 * endpoint) requests go to the queue URL's own host, as the queue URL already names it.
 */
export function defaultSqsClient(config: Config, queueUrl: string, env: NodeJS.ProcessEnv): SQSClient {
  const region = regionOfQueueUrl(queueUrl) ?? config.aws.region ?? env['AWS_REGION'] ?? 'us-east-1';
  const endpoint = config.aws.endpoint ? new URL(queueUrl).origin : undefined;
  return new SQSClient({ region, ...(endpoint ? { endpoint } : {}) });
}
