/** An ECR repository, as named by its URI. */
export interface RepositoryRef {
  /** As written in the config: `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly uri: string;
  readonly registryId: string;
  readonly region: string;
  readonly name: string;
}

/**
 * `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<name>`, in every partition.
 * Repository names: lowercase, digits, `._-` separators and `/` namespaces (ECR's rule).
 */
const REPOSITORY_URI =
  /^(?<account>\d{12})\.dkr\.ecr(?<fips>-fips)?\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.(?<domain>amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)\/(?<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)$/;

export interface ParsedRepositoryUri extends RepositoryRef {
  readonly fips: boolean;
  /** DNS suffix of the partition, e.g. `amazonaws.com` or `amazonaws.com.cn`. */
  readonly domain: string;
}

export function parseRepositoryUri(uri: string): ParsedRepositoryUri | undefined {
  const groups = REPOSITORY_URI.exec(uri)?.groups;
  if (!groups) return undefined;
  return {
    uri,
    registryId: groups['account'] ?? '',
    region: groups['region'] ?? '',
    name: groups['name'] ?? '',
    fips: groups['fips'] !== undefined,
    domain: groups['domain'] ?? '',
  };
}
