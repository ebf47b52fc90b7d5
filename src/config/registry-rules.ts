/**
 * Rules for images outside ECR and the `registries:` entries (SPEC §12): what only ECR's API
 * gives (scan findings, regions, roles) is refused on other registries' images at its line, a
 * registry's credentials come as a user and password pair or as a token, and `insecure` is
 * given by name only to hosts images name.
 */
import { parseRepositoryUri } from '../checks/ecr-uri.js';
import { parseImageReference } from '../checks/image-ref.js';
import type { PathIssue } from './issues.js';
import { entriesOf, isMapping } from './raw.js';

/** Keys of an image or a policy that only the ECR API serves. */
const ECR_ONLY_IMAGE_KEYS = ['roleArn', 'region'] as const;

export function registryRules(input: Record<string, unknown>): PathIssue[] {
  const issues: PathIssue[] = [];
  const ociImages = new Map<string, string>();
  for (const [key, image] of entriesOf(input['images'])) {
    if (!isMapping(image) || typeof image['repository'] !== 'string') continue;
    const repository = image['repository'];
    if (parseRepositoryUri(repository) !== undefined) continue;
    const parsed = parseImageReference(repository);
    if (!('reference' in parsed)) continue;
    ociImages.set(key, parsed.reference.host);
    for (const field of ECR_ONLY_IMAGE_KEYS) {
      if (image[field] === undefined) continue;
      issues.push({
        path: ['images', key, field],
        at: 'key',
        message: `images.${key}.${field} applies to ECR repositories only, and ${repository} is on ${parsed.reference.host}`,
        hint: `remove ${field}; credentials for ${parsed.reference.host} go under registries.${parsed.reference.host}`,
      });
    }
  }
  for (const [environment, value] of entriesOf(input['environments'])) {
    for (const [image, policy] of entriesOf(isMapping(value) ? value['policies'] : undefined)) {
      const host = ociImages.get(image);
      if (host === undefined || !isMapping(policy) || policy['maxSeverity'] === undefined) continue;
      issues.push({
        path: ['environments', environment, 'policies', image, 'maxSeverity'],
        at: 'key',
        message: `maxSeverity gates on ECR's scan findings, and image \`${image}\` is on ${host}, which reports none`,
        hint: 'remove maxSeverity from this policy, or watch a copy of the image in ECR (pull-through cache or replication) and gate that',
      });
    }
  }
  for (const [host, entry] of entriesOf(input['registries'])) {
    if (!isMapping(entry)) continue;
    const path = ['registries', host];
    const user = entry['usernameEnv'] !== undefined;
    const password = entry['passwordEnv'] !== undefined;
    if (user !== password) {
      issues.push({
        path: [...path, user ? 'usernameEnv' : 'passwordEnv'],
        at: 'key',
        message: `registries.${host} has ${user ? 'usernameEnv without passwordEnv' : 'passwordEnv without usernameEnv'}`,
        hint: 'give both: the registry takes a user name and a password (or access token) together',
      });
    }
    if (entry['tokenEnv'] !== undefined && (user || password)) {
      issues.push({
        path: [...path, 'tokenEnv'],
        at: 'key',
        message: `registries.${host} has both a token and a user name and password`,
        hint: 'keep one: tokenEnv for a bearer token sent as is, or usernameEnv and passwordEnv',
      });
    }
    if (/\.dkr\.ecr(?:-fips)?\./.test(host)) {
      issues.push({
        path,
        at: 'key',
        message: `registries.${host} is an ECR registry, which drawbridge reads through the ECR API`,
        hint: 'remove this entry; ECR credentials come from the AWS chain (aws.roleArn, images.<key>.roleArn)',
      });
    }
  }
  return issues;
}
