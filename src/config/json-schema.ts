import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of drawbridge.yaml, generated from the loader's own schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...schema, $id: 'https://drawbridge.dev/schema/drawbridge.json', title: 'drawbridge.yaml' };
}
