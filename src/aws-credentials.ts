/**
 * AWS credentials as every AWS client here takes them (ECR, STS, EventBridge, CodeCommit):
 * structurally the SDK's AwsCredentialIdentity and its provider. Below the registries and
 * notifiers that use them, so none reaches into another's folder for a type.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Structurally the SDK's AwsCredentialIdentityProvider. */
export type CredentialProvider = () => Promise<AwsCredentials>;
