/**
 * The AWS-protocol emulator shared by the tests and `drawbridge demo`: ECR, SQS and
 * EventBridge on one loopback port, driven by the real SDK clients.
 */
import { CodeCommitStore, codeCommitService } from './codecommit.js';
import { EcrStore, ecrService } from './ecr.js';
import { EventBridgeStore, eventBridgeService } from './eventbridge.js';
import { deliverToTargets } from './eventbridge-delivery.js';
import { startServer, type EmulatorServer, type FaultPlan } from './server.js';
import { SqsStore, sqsService } from './sqs.js';
import { StsStore, stsService } from './sts.js';

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
  /** STS AssumeRole (query protocol), for cross-account role tests. */
  readonly sts: StsStore;
  /** CodeCommit pull requests over bare git repositories a test registers. */
  readonly codecommit: CodeCommitStore;
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
  const sts = new StsStore(storeOptions);
  const codecommit = new CodeCommitStore(storeOptions);
  events.onDeliver = deliverToTargets(events, sqs);
  const server = await startServer({
    services: [ecrService(ecr), sqsService(sqs), eventBridgeService(events), codeCommitService(codecommit)],
    queryServices: [stsService(sts)],
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    endpoint: server.endpoint,
    accountId: storeOptions.accountId,
    region: storeOptions.region,
    ecr,
    sqs,
    events,
    sts,
    codecommit,
    faults: server.faults,
    server,
    close: async () => {
      sqs.close();
      await server.close();
    },
  };
}
