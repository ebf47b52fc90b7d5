/**
 * ARNs the event setup needs, derived from what the config already says: the queue ARN from
 * `events.sqs.queueUrl`, and the rule ARN the queue policy must name.
 */

export interface QueueRef {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  /** Region named by the URL's host; undefined for a custom endpoint (an emulator). */
  readonly region: string | undefined;
  readonly partition: string;
}

/**
 * `https://sqs.<region>.amazonaws.com/<account>/<name>` (also the legacy
 * `<region>.queue.amazonaws.com`, `queue.amazonaws.com` = us-east-1, VPC endpoints and China);
 * any other host is taken as an emulator and uses `fallbackRegion`.
 */
export function queueFromUrl(queueUrl: string, fallbackRegion?: string): QueueRef | undefined {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return undefined;
  }
  const [account, name, ...rest] = url.pathname.split('/').filter(Boolean);
  if (!account || !name || rest.length > 0 || !/^\d{12}$/.test(account)) return undefined;
  const host = url.hostname;
  const region = regionOfHost(host);
  const partition = host.endsWith('.amazonaws.com.cn') ? 'aws-cn' : partitionOf(region ?? fallbackRegion);
  const arnRegion = region ?? fallbackRegion;
  if (arnRegion === undefined) return undefined;
  return { arn: `arn:${partition}:sqs:${arnRegion}:${account}:${name}`, name, account, region, partition };
}

/** `arn:<partition>:sqs:<region>:<account>:<name>`. */
export function parseQueueArn(arn: string): QueueRef | undefined {
  const match = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(arn);
  if (!match) return undefined;
  const [, partition = 'aws', region, account = '', name = ''] = match;
  return { arn, name, account, region, partition };
}

export function ruleArn(options: {
  partition: string;
  region: string;
  account: string;
  name: string;
  eventBusName?: string;
}): string {
  const bus = options.eventBusName ?? 'default';
  const path = bus === 'default' ? options.name : `${bus}/${options.name}`;
  return `arn:${options.partition}:events:${options.region}:${options.account}:rule/${path}`;
}

export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function regionOfHost(host: string): string | undefined {
  if (host === 'queue.amazonaws.com') return 'us-east-1';
  const patterns = [
    /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/,
    /^sqs-fips\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/,
    /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com(?:\.cn)?$/,
    /\.sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.vpce\.amazonaws\.com(?:\.cn)?$/,
  ];
  for (const pattern of patterns) {
    const region = pattern.exec(host)?.[1];
    if (region) return region;
  }
  return undefined;
}
