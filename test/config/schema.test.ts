import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';

const SNAPSHOT = fileURLToPath(new URL('./schema.snapshot.json', import.meta.url));
const REGENERATE =
  'The JSON Schema of drawbridge.yaml changed. If that is intended, regenerate the snapshot with\n' +
  '  UPDATE_SNAPSHOT=1 npx vitest run --config test/vitest.config.ts test/config/schema.test.ts\n' +
  'and commit test/config/schema.snapshot.json.';

type JsonObject = Record<string, unknown>;

describe('the published JSON Schema', () => {
  it('matches the committed snapshot', async () => {
    const current = configJsonSchema();
    if (process.env['UPDATE_SNAPSHOT'] === '1') {
      const options = (await resolveConfig(SNAPSHOT)) ?? {};
      await writeFile(SNAPSHOT, await format(JSON.stringify(current), { ...options, parser: 'json' }));
    }
    const committed = JSON.parse(await readFile(SNAPSHOT, 'utf8').catch(() => 'null')) as unknown;
    expect(committed, REGENERATE).toEqual(current);
  });

  it('says that a policy has exactly one ordering, and what extract and direction need', () => {
    const policy = policySchema();
    expect(policy['oneOf']).toEqual([
      { required: ['semver'] },
      { required: ['order'] },
      { required: ['newest'] },
      { required: ['promote'] },
    ]);
    expect(policy['dependentRequired']).toEqual({ extract: ['pattern'], direction: ['order'] });
    expect(policy['additionalProperties']).toBe(false);
  });

  it('describes every property, for editor completion', () => {
    const undescribed: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as JsonObject;
      for (const [key, child] of Object.entries((schema['properties'] as JsonObject | undefined) ?? {})) {
        if (typeof (child as JsonObject)['description'] !== 'string') undescribed.push(`${path}.${key}`);
        visit(child, `${path}.${key}`);
      }
      visit(schema['additionalProperties'], `${path}.<name>`);
      visit(schema['items'], `${path}[]`);
    };
    visit(configJsonSchema(), '');
    expect(undescribed).toEqual([]);
  });
});

function policySchema(): JsonObject {
  const root = configJsonSchema() as { properties: { environments: JsonObject } };
  const environment = root.properties.environments['additionalProperties'] as { properties: JsonObject };
  const policies = environment.properties['policies'] as JsonObject;
  return policies['additionalProperties'] as JsonObject;
}
