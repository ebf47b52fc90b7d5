/**
 * The emulated EventBridge's connections and API destinations: what an HTTP target of a rule
 * (the drawbridge events endpoint) is made of. Stored so tests can read the auth they carry.
 */
import { randomUUID } from 'node:crypto';
import type { StoreOptions } from './ecr.js';
import { AwsError } from './server.js';

export interface ConnectionRecord {
  readonly name: string;
  readonly arn: string;
  readonly authorizationType: string;
  readonly authParameters: Record<string, unknown>;
}

export interface ApiDestinationRecord {
  readonly name: string;
  readonly arn: string;
  readonly connectionArn: string;
  readonly invocationEndpoint: string;
  readonly httpMethod: string;
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

export class DestinationBook {
  readonly connections = new Map<string, ConnectionRecord>();
  readonly apiDestinations = new Map<string, ApiDestinationRecord>();

  constructor(private readonly options: StoreOptions) {}

  createConnection(input: Record<string, unknown>): ConnectionRecord {
    const name = text(input['Name']);
    const authorizationType = text(input['AuthorizationType']);
    if (!NAME.test(name)) throw new AwsError('ValidationException', 'Name is not valid.');
    if (!['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'].includes(authorizationType)) {
      throw new AwsError(
        'ValidationException',
        'AuthorizationType must be API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS.',
      );
    }
    if (this.connections.has(name))
      throw new AwsError('ResourceAlreadyExistsException', `Connection ${name} already exists.`);
    const connection: ConnectionRecord = {
      name,
      arn: `arn:aws:events:${this.options.region}:${this.options.accountId}:connection/${name}/${randomUUID()}`,
      authorizationType,
      authParameters: (input['AuthParameters'] ?? {}) as Record<string, unknown>,
    };
    this.connections.set(name, connection);
    return connection;
  }

  createApiDestination(input: Record<string, unknown>): ApiDestinationRecord {
    const name = text(input['Name']);
    const connectionArn = text(input['ConnectionArn']);
    const invocationEndpoint = text(input['InvocationEndpoint']);
    const httpMethod = text(input['HttpMethod']);
    if (!NAME.test(name)) throw new AwsError('ValidationException', 'Name is not valid.');
    if (![...this.connections.values()].some((connection) => connection.arn === connectionArn)) {
      throw new AwsError('ResourceNotFoundException', `Connection ${connectionArn} does not exist.`);
    }
    if (!invocationEndpoint.startsWith('https://') && !invocationEndpoint.startsWith('http://127.0.0.1')) {
      throw new AwsError('ValidationException', 'InvocationEndpoint must be an https URL.');
    }
    if (!['POST', 'GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE'].includes(httpMethod)) {
      throw new AwsError('ValidationException', 'HttpMethod is not valid.');
    }
    if (this.apiDestinations.has(name)) {
      throw new AwsError('ResourceAlreadyExistsException', `ApiDestination ${name} already exists.`);
    }
    const destination: ApiDestinationRecord = {
      name,
      arn: `arn:aws:events:${this.options.region}:${this.options.accountId}:api-destination/${name}/${randomUUID()}`,
      connectionArn,
      invocationEndpoint,
      httpMethod,
    };
    this.apiDestinations.set(name, destination);
    return destination;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
