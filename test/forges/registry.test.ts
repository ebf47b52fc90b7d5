import { describe, expect, it } from 'vitest';
import { FORGE_TYPES } from '../../src/forge.js';
import { FORGES, loadForges } from '../../src/forges/index.js';

describe('forges by name', () => {
  it('has a folder for every forge type the config accepts', () => {
    expect(Object.keys(FORGES).sort()).toEqual([...FORGE_TYPES].sort());
  });

  it('loads only the forge types asked for, each once', async () => {
    const loaded = await loadForges(['gitlab', 'github', 'gitlab']);
    expect([...loaded.keys()]).toEqual(['gitlab', 'github']);
    for (const factory of loaded.values()) expect(typeof factory).toBe('function');
    expect((await loadForges([])).size).toBe(0);
  });
});
