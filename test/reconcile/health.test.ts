import { describe, expect, it } from 'vitest';
import type { CommitCheck } from '../../src/forge.js';
import type { LiveInterval } from '../../src/policy/types.js';
import { gateByHealth, MAX_TAGS_CHECKED } from '../../src/reconcile/health.js';

const at = (minute: number): Date => new Date(Date.UTC(2026, 11, 1, 12, minute));
const sha = (n: number): string => n.toString(16).padStart(40, '0');
const HOUR = 60 * 60_000;

function checks(table: Record<string, CommitCheck[]>) {
  const asked: string[] = [];
  return {
    asked,
    checksOf: async (commit: string): Promise<CommitCheck[]> => {
      asked.push(commit);
      return table[commit] ?? [];
    },
  };
}

const ok = (context: string, minute: number): CommitCheck => ({ context, state: 'success', at: at(minute) });
const failed = (context: string, minute: number): CommitCheck => ({
  context,
  state: 'failure',
  at: at(minute),
});
const pending = (context: string, minute: number): CommitCheck => ({
  context,
  state: 'pending',
  at: at(minute),
});

describe('gateByHealth', () => {
  it('counts a tag from its last named context’s success, refuses a failure, waits for pending and missing', async () => {
    const liveIn = new Map<string, LiveInterval[]>([
      ['1.0.4', [{ since: at(40), commit: sha(4), head: sha(4) }]],
      ['1.0.3', [{ since: at(30), until: at(40), commit: sha(3) }]],
      ['1.0.2', [{ since: at(20), until: at(30), commit: sha(2) }]],
      ['1.0.1', [{ since: at(10), until: at(20), commit: sha(1) }]],
    ]);
    const { checksOf } = checks({
      [sha(4)]: [ok('kustomization/apps', 41)],
      [sha(3)]: [failed('kustomization/apps/4f9c', 31), ok('argocd/prod', 32)],
      [sha(2)]: [pending('kustomization/apps', 21), ok('argocd/prod', 22)],
      [sha(1)]: [ok('kustomization/apps', 12), ok('argocd/prod', 15)],
    });
    const gate = await gateByHealth({
      liveIn,
      contexts: ['kustomization/apps', 'argocd/prod'],
      afterMs: HOUR,
      now: at(50),
      checksOf,
    });
    expect(gate.health.get('1.0.4')).toMatchObject({
      state: 'waiting',
      reported: 'missing',
      context: 'argocd/prod',
    });
    expect(gate.health.get('1.0.3')).toMatchObject({
      state: 'failed',
      context: 'kustomization/apps/4f9c',
      commit: sha(3),
      at: at(31),
    });
    expect(gate.health.get('1.0.2')).toMatchObject({ state: 'waiting', reported: 'pending' });
    expect(gate.health.get('1.0.1')).toMatchObject({ state: 'healthy', context: 'argocd/prod', at: at(15) });
    // Healthy from 12:15, the later of its two successes; the others keep their intervals.
    expect(gate.liveIn.get('1.0.1')).toEqual([{ since: at(15), until: at(20), commit: sha(1) }]);
    expect(gate.liveIn.get('1.0.4')).toEqual(liveIn.get('1.0.4'));
  });

  it('takes the head’s report for a context the commit that brought a live tag never got', async () => {
    const liveIn = new Map<string, LiveInterval[]>([
      ['2.0.0', [{ since: at(10), commit: sha(1), head: sha(2) }]],
    ]);
    const { checksOf } = checks({ [sha(2)]: [ok('kustomization/apps', 20)] });
    const gate = await gateByHealth({
      liveIn,
      contexts: ['kustomization/apps'],
      afterMs: 0,
      now: at(30),
      checksOf,
    });
    expect(gate.health.get('2.0.0')).toMatchObject({ state: 'healthy', commit: sha(2), at: at(20) });
    // The commit that brought it decides first: a failure there is not undone by the head.
    const { checksOf: failedFirst } = checks({
      [sha(1)]: [failed('kustomization/apps', 11)],
      [sha(2)]: [ok('kustomization/apps', 20)],
    });
    const refused = await gateByHealth({
      liveIn,
      contexts: ['kustomization/apps'],
      afterMs: 0,
      now: at(30),
      checksOf: failedFirst,
    });
    expect(refused.health.get('2.0.0')).toMatchObject({ state: 'failed', commit: sha(1) });
  });

  it('a context names itself or a prefix of whole parts, never a longer name', async () => {
    const liveIn = new Map<string, LiveInterval[]>([['1.0.0', [{ since: at(0), commit: sha(1) }]]]);
    const { checksOf } = checks({ [sha(1)]: [ok('kustomization/apps-extra', 5)] });
    const gate = await gateByHealth({
      liveIn,
      contexts: ['kustomization/apps'],
      afterMs: 0,
      now: at(30),
      checksOf,
    });
    expect(gate.health.get('1.0.0')).toMatchObject({ state: 'waiting', reported: 'missing' });
  });

  it('stops reading at the first healthy tag that has soaked, and reads at most MAX_TAGS_CHECKED', async () => {
    const tags = 3 * MAX_TAGS_CHECKED;
    const liveIn = new Map<string, LiveInterval[]>(
      Array.from({ length: tags }, (_, i) => [
        `1.0.${i}`,
        [{ since: at(i), until: at(i + 1), commit: sha(i + 1) }],
      ]),
    );
    const all = Object.fromEntries(Array.from({ length: tags }, (_, i) => [sha(i + 1), [ok('k', i)]]));
    const early = checks(all);
    const soaked = await gateByHealth({
      liveIn,
      contexts: ['k'],
      afterMs: 0,
      now: at(59),
      checksOf: early.checksOf,
    });
    expect(early.asked).toEqual([sha(tags)]);
    expect(soaked.health.get(`1.0.${tags - 1}`)?.state).toBe('healthy');
    expect(soaked.health.get('1.0.0')?.state).toBe('unchecked');

    const none = checks({});
    const waiting = await gateByHealth({
      liveIn,
      contexts: ['k'],
      afterMs: 0,
      now: at(59),
      checksOf: none.checksOf,
    });
    expect(none.asked).toHaveLength(MAX_TAGS_CHECKED);
    expect([...waiting.health.values()].filter((v) => v.state === 'unchecked')).toHaveLength(
      tags - MAX_TAGS_CHECKED,
    );
  });
});
