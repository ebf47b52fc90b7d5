/**
 * Rules across fields, run after the schema on the same raw YAML data (so they still report
 * when the schema found other problems): policies against images and environments, promotion
 * cycles, branch and path overlaps. Errors make the config invalid; warnings do not.
 */
import type { PathIssue } from './issues.js';
import { branchOverlapRules, promotionCycleRules } from './environment-rules.js';
import { forgeRules } from './forge-rules.js';
import { policyRules } from './policy-rules.js';
import { registryRules } from './registry-rules.js';
import { repositoryRules, unusedRepositoryWarnings } from './repository-rules.js';
import { entriesOf, isMapping, valueAt } from './raw.js';
import { knownKeys } from './schema-walk.js';
import { policySchema } from './schema.js';

export interface RuleReport {
  readonly errors: readonly PathIssue[];
  readonly warnings: readonly PathIssue[];
}

export function checkRules(input: unknown): RuleReport {
  if (!isMapping(input)) return { errors: [], warnings: [] };
  const imagesValue = input['images'];
  const images = isMapping(imagesValue) ? Object.keys(imagesValue) : undefined;
  const environmentsValue = input['environments'];
  const environments = entriesOf(environmentsValue).map(([name]) => name);
  const policyKeys = knownKeys(policySchema) ?? [];

  const errors: PathIssue[] = [];
  for (const [environment, value] of entriesOf(environmentsValue)) {
    for (const [image, policy] of entriesOf(isMapping(value) ? value['policies'] : undefined)) {
      errors.push(...policyRules({ environment, image, policy, images, environments, policyKeys }));
    }
  }
  errors.push(...promotionCycleRules(environmentsValue));
  errors.push(...branchOverlapRules(environmentsValue));
  errors.push(...repositoryRules(input));
  errors.push(...forgeRules(input));
  errors.push(...registryRules(input));
  return { errors, warnings: [...warningRules(input, images), ...unusedRepositoryWarnings(input)] };
}

function warningRules(input: Record<string, unknown>, images: readonly string[] | undefined): PathIssue[] {
  const warnings: PathIssue[] = [];
  const used = new Set<string>();
  for (const [name, environment] of entriesOf(input['environments'])) {
    const policies = isMapping(environment) ? environment['policies'] : undefined;
    const keys = entriesOf(policies).map(([image]) => image);
    keys.forEach((image) => used.add(image));
    if (isMapping(policies) && keys.length === 0) {
      warnings.push({
        path: ['environments', name, 'policies'],
        message: `environment \`${name}\` has no policies, so drawbridge never changes it`,
        hint: 'add a policy per image, e.g. podinfo: { semver: ^1.0.0 }',
      });
    }
  }
  for (const image of images ?? []) {
    if (used.has(image)) continue;
    warnings.push({
      path: ['images', image],
      at: 'key',
      message: `image \`${image}\` has no policy in any environment, so it is never updated`,
      hint: 'add a policy for it under environments.<name>.policies, or remove it',
    });
  }
  for (const [endpoint, sender] of [
    ['http', 'the API destination connection'],
    ['statuses', "Flux's provider secret or Argo CD's webhook"],
    ['registry', "the registry's webhook (its auth header setting)"],
  ] as const) {
    const http = valueAt(input, ['events', endpoint]);
    if (isMapping(http) && http['tokenEnv'] === undefined && http['basicAuth'] === undefined) {
      warnings.push({
        path: ['events', endpoint],
        at: 'key',
        message: `the ${endpoint === 'http' ? 'events' : endpoint === 'statuses' ? 'statuses' : 'registry events'} endpoint accepts requests without authentication`,
        hint: `set tokenEnv (and ${sender} to send that header) or basicAuth`,
      });
    }
  }
  return warnings;
}
