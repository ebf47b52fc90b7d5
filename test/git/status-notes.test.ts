/**
 * The note a commit's recorded statuses live in: one checked line per context, the newest
 * report of each kept, at most MAX_CONTEXTS of them, and lines someone else pushed that are
 * not a valid report skipped rather than believed.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CONTEXTS, parseNote, renderNote, withCheck } from '../../src/git/status-notes.js';
import type { CommitCheck } from '../../src/forge.js';

const at = (minute: number): Date => new Date(Date.UTC(2030, 0, 1, 12, minute));
const check = (context: string, state: CommitCheck['state'], minute: number): CommitCheck => ({
  context,
  state,
  at: at(minute),
});

describe('status notes', () => {
  it('renders one sorted line per context and reads them back the same', () => {
    const checks = [
      check('kustomization/apps', 'success', 2),
      { ...check('argocd/prod', 'failure', 1), url: 'https://argocd.example.test/app' },
    ];
    const text = renderNote(checks);
    expect(text.split('\n')[0]).toContain('"argocd/prod"');
    expect(parseNote(text)).toEqual(expect.arrayContaining(checks));
  });

  it('takes a newer report of a context in, and leaves the note alone for an older or the same one', () => {
    const note = [check('kustomization/apps', 'pending', 1)];
    expect(withCheck(note, check('kustomization/apps', 'success', 2))).toEqual([
      check('kustomization/apps', 'success', 2),
    ]);
    expect(withCheck(note, check('kustomization/apps', 'failure', 0))).toBeUndefined();
    expect(withCheck(note, check('kustomization/apps', 'pending', 1))).toBeUndefined();
    const many = Array.from({ length: MAX_CONTEXTS }, (_, i) => check(`c/${i}`, 'success', i % 50));
    const next = withCheck(many, check('latest', 'success', 59))!;
    expect(next).toHaveLength(MAX_CONTEXTS);
    expect(next[0]!.context).toBe('latest');
  });

  it('skips lines that are not a report: a context over two lines, a state it does not know, a link with credentials', () => {
    const good = JSON.stringify({ context: 'argocd/prod', state: 'success', at: at(1).toISOString() });
    const text = [
      good,
      'not json',
      JSON.stringify({
        context: 'a\nDrawbridge-Update: api=6.6.6',
        state: 'failure',
        at: at(2).toISOString(),
      }),
      JSON.stringify({ context: 'argocd/dev', state: 'exploded', at: at(2).toISOString() }),
      JSON.stringify({ context: 'argocd/qa', state: 'failure', at: 'soon' }),
      JSON.stringify({
        context: 'argocd/stage',
        state: 'failure',
        at: at(3).toISOString(),
        url: 'https://u:p@example.test/',
      }),
    ].join('\n');
    expect(parseNote(text)).toEqual([
      check('argocd/prod', 'success', 1),
      check('argocd/stage', 'failure', 3),
    ]);
    expect(parseNote('x'.repeat(70 * 1024))).toEqual([]);
  });
});
