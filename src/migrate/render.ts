/**
 * The config `drawbridge import` prints: plain YAML written line by line, every value from the
 * objects quoted as a JSON string (valid YAML, so nothing in a value can open a new key), and
 * what did not carry over as `# NOTE:` comments, each one escaped to one line.
 */
import { printable } from '../log/printable.js';

export type PolicyFields = Readonly<
  Record<string, string | number | boolean | readonly string[] | Readonly<Record<string, string | number>>>
>;

export interface ImportedPolicy {
  readonly image: string;
  readonly fields: PolicyFields;
  readonly notes: readonly string[];
}

export interface ImportedEnvironment {
  readonly name: string;
  /** A name under `repositories:`; absent for the `git:` one. */
  readonly repository?: string;
  readonly branch: string;
  readonly paths?: readonly string[];
  readonly pushBranch?: string;
  readonly policies: readonly ImportedPolicy[];
  readonly notes: readonly string[];
}

export interface ImportedConfig {
  readonly header: readonly string[];
  readonly git: {
    readonly url: string;
    readonly author?: { name: string; email: string };
    readonly messageTemplate?: string;
  };
  readonly gitNotes: readonly string[];
  readonly repositories: readonly { readonly name: string; readonly url: string }[];
  readonly images: readonly {
    readonly key: string;
    readonly repository: string;
    readonly exclude?: readonly string[];
    readonly notes: readonly string[];
  }[];
  readonly registries: readonly {
    readonly host: string;
    readonly insecure: boolean;
    readonly notes: readonly string[];
  }[];
  readonly environments: readonly ImportedEnvironment[];
}

const q = (value: string): string => JSON.stringify(value);

function notes(indent: string, list: readonly string[]): string[] {
  return list.map((note) => `${indent}# NOTE: ${printable(note, 400)}`);
}

function inline(fields: PolicyFields): string {
  const parts = Object.entries(fields).map(([key, value]) => {
    if (Array.isArray(value)) return `${key}: [${value.map((item: string) => q(item)).join(', ')}]`;
    if (typeof value === 'object') return `${key}: ${inline(value as PolicyFields)}`;
    return `${key}: ${typeof value === 'string' ? q(value) : String(value)}`;
  });
  return `{ ${parts.join(', ')} }`;
}

export function renderConfig(config: ImportedConfig): string {
  const lines: string[] = [...config.header.map((line) => `# ${printable(line, 400)}`), 'version: 1', 'git:'];
  lines.push(...notes('  ', config.gitNotes), `  url: ${q(config.git.url)}`);
  if (config.git.author)
    lines.push(`  author: { name: ${q(config.git.author.name)}, email: ${q(config.git.author.email)} }`);
  if (config.git.messageTemplate !== undefined)
    lines.push(`  messageTemplate: ${q(config.git.messageTemplate)}`);
  if (config.repositories.length > 0) {
    lines.push('repositories:');
    for (const repository of config.repositories)
      lines.push(`  ${repository.name}: { url: ${q(repository.url)} }`);
  }
  if (config.registries.length > 0) {
    lines.push('registries:');
    for (const registry of config.registries) {
      lines.push(...notes('  ', registry.notes));
      lines.push(`  ${q(registry.host)}: { insecure: ${String(registry.insecure)} }`);
    }
  }
  lines.push('images:');
  for (const image of config.images) {
    lines.push(...notes('  ', image.notes), `  ${image.key}:`, `    repository: ${q(image.repository)}`);
    if (image.exclude && image.exclude.length > 0)
      lines.push(`    exclude: [${image.exclude.map(q).join(', ')}]`);
  }
  lines.push('environments:');
  for (const environment of config.environments) {
    lines.push(...notes('  ', environment.notes), `  ${environment.name}:`);
    if (environment.repository !== undefined) lines.push(`    repository: ${environment.repository}`);
    lines.push(`    branch: ${q(environment.branch)}`);
    if (environment.paths) lines.push(`    paths: [${environment.paths.map(q).join(', ')}]`);
    if (environment.pushBranch !== undefined)
      lines.push(`    push: { branch: ${q(environment.pushBranch)} }`);
    lines.push('    policies:');
    for (const policy of environment.policies) {
      lines.push(...notes('      ', policy.notes), `      ${policy.image}: ${inline(policy.fields)}`);
    }
    if (environment.policies.length === 0) lines[lines.length - 1] = '    policies: {}';
  }
  return `${lines.join('\n')}\n`;
}
