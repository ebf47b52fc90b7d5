import { AwsError, type AwsService } from './server.js';
import type { StoreOptions } from './ecr.js';

// Skeleton: the SQS store and operations are being built in this session.
export class SqsStore {
  constructor(readonly options: StoreOptions) {}
}

export function sqsService(_store: SqsStore): AwsService {
  return {
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    handle: async (operation) => {
      throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
    },
  };
}
