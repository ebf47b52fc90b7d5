import { AwsError, type AwsService } from './server.js';
import type { StoreOptions } from './ecr.js';

// Skeleton: the EventBridge store and operations are being built in this session.
export class EventBridgeStore {
  constructor(readonly options: StoreOptions) {}
}

export function eventBridgeService(_store: EventBridgeStore): AwsService {
  return {
    targetPrefix: 'AWSEvents',
    contentType: 'application/x-amz-json-1.1',
    handle: async (operation) => {
      throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
    },
  };
}
