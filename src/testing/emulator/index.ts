/**
 * The AWS-protocol emulator shared by the tests and `drawbridge demo`: ECR, SQS and
 * EventBridge on one loopback port, driven by the real SDK clients.
 */
import { EcrStore, ecrService } from './ecr.js';
import { EventBridgeStore, eventBridgeService } from './eventbridge.js';
import { startServer, type EmulatorServer, type FaultPlan } from './server.js';
import { SqsStore, sqsService } from './sqs.js';

export { AwsError } from './server.js';
export type { EmulatorServer, FaultPlan } from './server.js';

export interface EmulatorOptions {
  readonly port?: number;
  readonly accountId?: string;
  readonly region?: string;
  /** Clock for push times and message timestamps; default the system clock. */
  readonly now?: () => Date;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`: point `aws.endpoint` (and the SDK clients) here. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly ecr: EcrStore;
  readonly sqs: SqsStore;
  readonly events: EventBridgeStore;
  readonly faults: FaultPlan;
  readonly server: EmulatorServer;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const storeOptions = {
    accountId: options.accountId ?? '123456789012',
    region: options.region ?? 'eu-west-1',
    now: options.now ?? (() => new Date()),
  };
  const ecr = new EcrStore(storeOptions);
  const sqs = new SqsStore(storeOptions);
  const events = new EventBridgeStore(storeOptions);
  const server = await startServer({
    services: [ecrService(ecr), sqsService(sqs), eventBridgeService(events)],
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    endpoint: server.endpoint,
    accountId: storeOptions.accountId,
    region: storeOptions.region,
    ecr,
    sqs,
    events,
    faults: server.faults,
    server,
    close: () => server.close(),
  };
}
