/**
 * STS AssumeRole over the query protocol (what @aws-sdk/client-sts sends: form-encoded in,
 * XML out), so cross-account role assumption is tested end to end. Issued credentials are
 * remembered, so a test can tell which role's keys signed a later ECR call.
 */
import { randomBytes } from 'node:crypto';
import type { StoreOptions } from './ecr.js';
import { AwsError, escapeXml, type QueryService } from './server.js';

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly expiration: Date;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

export class StsStore {
  private readonly issuedKeys = new Map<string, IssuedCredentials>();
  private readonly deniedRoles = new Set<string>();
  private readonly externalIds = new Map<string, string>();

  constructor(readonly options: StoreOptions) {}

  /** AssumeRole on this role answers AccessDenied. */
  denyRole(roleArn: string): void {
    this.deniedRoles.add(roleArn);
  }

  /** AssumeRole on this role needs this ExternalId (as a trust policy condition would). */
  requireExternalId(roleArn: string, externalId: string): void {
    this.externalIds.set(roleArn, externalId);
  }

  issued(): IssuedCredentials[] {
    return [...this.issuedKeys.values()];
  }

  roleOf(accessKeyId: string): string | undefined {
    return this.issuedKeys.get(accessKeyId)?.roleArn;
  }

  assumeRole(params: URLSearchParams): IssuedCredentials & { secretAccessKey: string; sessionToken: string } {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    if (!ROLE_ARN.test(roleArn))
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint`,
      );
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      throw new AwsError(
        'ValidationError',
        `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`,
      );
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200)
      throw new AwsError(
        'ValidationError',
        `Value '${duration}' at 'durationSeconds' failed to satisfy constraint`,
      );
    const externalId = params.get('ExternalId') ?? undefined;
    const wanted = this.externalIds.get(roleArn);
    if (this.deniedRoles.has(roleArn) || (wanted !== undefined && wanted !== externalId))
      throw new AwsError(
        'AccessDenied',
        `User: arn:aws:iam::${this.options.accountId}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    const issued = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      roleArn,
      sessionName,
      ...(externalId === undefined ? {} : { externalId }),
      expiration: new Date(this.options.now().getTime() + duration * 1000),
    };
    this.issuedKeys.set(issued.accessKeyId, issued);
    return {
      ...issued,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
    };
  }
}

export function stsService(store: StsStore): QueryService {
  return {
    name: 'sts',
    actions: ['AssumeRole'],
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    handle: async (_action, params) => {
      const issued = store.assumeRole(params);
      const roleName = issued.roleArn.split('/').slice(1).join('/');
      const account = ROLE_ARN.exec(issued.roleArn)?.[1] ?? store.options.accountId;
      return (
        `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${escapeXml(issued.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${escapeXml(issued.sessionToken)}</SessionToken>` +
        `<Expiration>${issued.expiration.toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROA${issued.accessKeyId.slice(4)}:${escapeXml(issued.sessionName)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${account}:assumed-role/${escapeXml(roleName)}/${escapeXml(issued.sessionName)}</Arn></AssumedRoleUser>`
      );
    },
  };
}
