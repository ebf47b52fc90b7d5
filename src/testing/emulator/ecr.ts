import { AwsError, type AwsService } from './server.js';

export interface StoreOptions {
  readonly accountId: string;
  readonly region: string;
  readonly now: () => Date;
}

// Skeleton: the ECR store and operations are being built in this session.
export class EcrStore {
  constructor(readonly options: StoreOptions) {}
}

export function ecrService(_store: EcrStore): AwsService {
  return {
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    contentType: 'application/x-amz-json-1.1',
    handle: async (operation) => {
      throw new AwsError('UnknownOperationException', `unsupported operation ${operation}`);
    },
  };
}
