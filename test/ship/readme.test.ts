import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every property of the JSON Schema as a dotted path; record keys become `*`. */
function propertyPaths(schema: unknown, prefix = ''): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Record<string, unknown>;
  const paths: string[] = [];
  const properties = node['properties'] as Record<string, unknown> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    paths.push(path, ...propertyPaths(child, path));
  }
  const additional = node['additionalProperties'];
  if (additional && typeof additional === 'object') paths.push(...propertyPaths(additional, `${prefix}.*`));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const option of (node[key] as unknown[] | undefined) ?? [])
      paths.push(...propertyPaths(option, prefix));
  }
  return [...new Set(paths)];
}

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe('README', () => {
  it('shows the two set-up commands', () => {
    expect(readme).toContain('npm ci && npx drawbridge demo');
    expect(readme).toContain('npm cit');
  });

  it('documents every key of the config schema in the configuration walk-through', () => {
    const text = section('Configuration walk-through') + section('Policies');
    const paths = propertyPaths(configJsonSchema());
    expect(paths.length).toBeGreaterThan(40);
    const missing = paths.filter((path) => {
      const name = path.split('.').pop()!;
      return name !== '*' && ![`\`${name}`, `.${name}\``, `.${name}.`].some((form) => text.includes(form));
    });
    expect(missing, 'config keys the README does not mention').toEqual([]);
  });

  it('documents every top-level key in the keys table', () => {
    const table = section('Configuration walk-through');
    for (const key of Object.keys((configJsonSchema()['properties'] as object) ?? {})) {
      expect(table, `keys table row for ${key}`).toMatch(new RegExp(`\\| \`${key}[.\`]`));
    }
  });
});
