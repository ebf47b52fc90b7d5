/** The environment git runs with: no editors or pagers, and glibc's malloc tuned for git. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GIT_MALLOC_TUNABLES, childEnv, runGit } from '../../src/git/run.js';
import { isolatedGitEnv } from '../helpers/git.js';

describe('childEnv', () => {
  it('adds the malloc tunables, drops editors and pagers, and keeps the rest', () => {
    expect(childEnv({ PATH: '/bin', EDITOR: 'vi', GIT_PAGER: 'less', HOME: '/h' })).toEqual({
      PATH: '/bin',
      HOME: '/h',
      GLIBC_TUNABLES: GIT_MALLOC_TUNABLES,
    });
  });

  it("keeps the caller's own GLIBC_TUNABLES", () => {
    expect(childEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })['GLIBC_TUNABLES']).toBe(
      'glibc.malloc.arena_max=2',
    );
  });

  it('reaches the git process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drawbridge-run-'));
    try {
      // `git var GIT_EDITOR` falls back to its default when no editor variable is set.
      const env = isolatedGitEnv({ EDITOR: 'definitely-not-an-editor' });
      expect((await runGit(dir, ['var', 'GIT_EDITOR'], { env })).trim()).not.toBe('definitely-not-an-editor');
      const shown = await runGit(dir, ['-c', 'alias.tunables=!printf %s "$GLIBC_TUNABLES"', 'tunables'], {
        env,
      });
      expect(shown).toBe(GIT_MALLOC_TUNABLES);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
