/** A few lines saying what a valid config will do, for `drawbridge validate`. */
import { formatDuration } from './duration.js';
import type { Config, EnvironmentConfig, Policy } from './schema.js';

export interface ConfigCounts {
  readonly environments: number;
  readonly images: number;
  readonly policies: number;
}

export function countConfig(config: Config): ConfigCounts {
  const environments = Object.values(config.environments);
  return {
    environments: environments.length,
    images: Object.keys(config.images).length,
    policies: environments.reduce((sum, environment) => sum + Object.keys(environment.policies).length, 0),
  };
}

export function formatCounts(counts: ConfigCounts): string {
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return [
    count(counts.environments, 'environment', 'environments'),
    count(counts.images, 'image', 'images'),
    count(counts.policies, 'policy', 'policies'),
  ].join(', ');
}

/** One block per environment: where it writes, then one line per image policy. */
export function summarizeConfig(config: Config): string[] {
  const lines: string[] = [];
  const width = Math.max(0, ...Object.keys(config.environments).map((name) => name.length));
  for (const [name, environment] of Object.entries(config.environments)) {
    lines.push(`  ${name.padEnd(width)}  ${describeTarget(environment)}`);
    const imageWidth = Math.max(0, ...Object.keys(environment.policies).map((image) => image.length));
    for (const [image, policy] of Object.entries(environment.policies)) {
      lines.push(`  ${''.padEnd(width)}    ${image.padEnd(imageWidth)}  ${describePolicy(policy)}`);
    }
  }
  return lines;
}

function describeTarget(environment: EnvironmentConfig): string {
  const parts = [`branch ${environment.branch}`];
  if (environment.push) parts.push(`pushes to ${environment.push.branch}`);
  parts.push(environment.paths ? `paths ${environment.paths.join(', ')}` : 'whole branch');
  return parts.join(', ');
}

/** `semver ^6.0.0, minAge 24h`: the ordering first, then the modifiers that are set. */
export function describePolicy(policy: Policy): string {
  const parts: string[] = [];
  if (policy.semver !== undefined) parts.push(`semver ${policy.semver}`);
  if (policy.order !== undefined)
    parts.push(`order ${policy.order}${policy.direction ? ` ${policy.direction}` : ''}`);
  if (policy.newest !== undefined) parts.push(`newest ${policy.newest}`);
  if (policy.promote !== undefined) {
    parts.push(`promote from ${policy.promote.from} after ${formatDuration(policy.promote.after)}`);
  }
  if (policy.pattern !== undefined) parts.push(`pattern ${policy.pattern}`);
  if (policy.extract !== undefined) parts.push(`extract ${policy.extract}`);
  if (policy.exclude !== undefined) parts.push(`exclude ${policy.exclude.join(' ')}`);
  if (policy.minAge !== undefined) parts.push(`minAge ${formatDuration(policy.minAge)}`);
  if (policy.maxSeverity !== undefined)
    parts.push(`maxSeverity ${policy.maxSeverity} (unscanned: ${policy.unscanned})`);
  if (policy.digest) parts.push('digest');
  return parts.join(', ');
}
