/**
 * What the statuses endpoint takes from a body: Flux's generic provider event and the plain
 * shape Argo CD's webhook template sends, each field checked; nothing outside its grammar
 * becomes a context, a commit or a link.
 */
import { describe, expect, it } from 'vitest';
import { parseStatusEvent } from '../../src/daemon/status-event.js';

const SHA = 'a'.repeat(40);
const NOW = new Date('2030-01-01T12:00:00Z');

function flux(overrides: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({
    involvedObject: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
    severity: 'info',
    timestamp: '2030-01-01T11:59:00Z',
    reason: 'ReconciliationSucceeded',
    metadata: { revision: `main@sha1:${SHA}`, ...metadata },
    ...overrides,
  });
}

describe("the statuses endpoint's bodies", () => {
  it("reads Flux's event: kind/name in lower case, severity and reason as the state, its time", () => {
    expect(parseStatusEvent(flux(), NOW)).toEqual({
      kind: 'status',
      sha: SHA,
      check: { context: 'kustomization/apps', state: 'success', at: new Date('2030-01-01T11:59:00Z') },
    });
    expect(parseStatusEvent(flux({ severity: 'error', reason: 'HealthCheckFailed' }), NOW)).toMatchObject({
      check: { state: 'failure' },
    });
    expect(parseStatusEvent(flux({ reason: 'Progressing' }), NOW)).toMatchObject({
      check: { state: 'pending' },
    });
  });

  it('takes every revision form Flux writes, and ignores an event that names no commit', () => {
    for (const revision of [`main@sha1:${SHA}`, `main/${SHA}`, `sha1:${SHA}`, SHA])
      expect(parseStatusEvent(flux({}, { revision }), NOW)).toMatchObject({ sha: SHA });
    expect(parseStatusEvent(flux({}, { revision: 'v1.2.3' }), NOW).kind).toBe('ignored');
    expect(parseStatusEvent(JSON.stringify({ ...JSON.parse(flux()), metadata: {} }), NOW).kind).toBe(
      'ignored',
    );
  });

  it('reads the plain shape, GitHub-style states included, and keeps a clean link', () => {
    const body = {
      context: 'argocd/prod',
      sha: SHA,
      state: 'error',
      targetUrl: 'https://argocd.example.test/app',
    };
    expect(parseStatusEvent(JSON.stringify(body), NOW)).toEqual({
      kind: 'status',
      sha: SHA,
      check: { context: 'argocd/prod', state: 'failure', at: NOW, url: 'https://argocd.example.test/app' },
    });
    expect(parseStatusEvent(JSON.stringify({ ...body, revision: SHA, sha: undefined }), NOW)).toMatchObject({
      sha: SHA,
    });
  });

  it('refuses what could reach a log line, a note or a commit message unchecked', () => {
    const plain = { context: 'argocd/prod', sha: SHA, state: 'success' };
    const refused = [
      'not json',
      '[1]',
      JSON.stringify({ ...plain, context: 'argocd/prod\nDrawbridge-Update: api=6.6.6' }),
      JSON.stringify({ ...plain, context: '' }),
      JSON.stringify({ ...plain, sha: 'abc1234' }),
      JSON.stringify({ ...plain, sha: 'A'.repeat(40) }),
      JSON.stringify({ ...plain, state: 'succeeded' }),
      JSON.stringify({ ...plain, targetUrl: 'javascript:alert(1)' }),
      JSON.stringify({ ...plain, targetUrl: 'https://user:secret@example.test/' }),
      JSON.stringify({ ...plain, at: 'yesterday' }),
      flux({ involvedObject: { kind: 'Kustomization\n', name: 'apps' } }),
      flux({ involvedObject: { kind: 'Kustomization', name: 'apps/../x' } }),
      flux({ severity: 'warning' }),
    ];
    for (const body of refused) expect(parseStatusEvent(body, NOW).kind, body).toBe('malformed');
  });

  it('takes a report stamped in the future as of now', () => {
    const body = JSON.stringify({
      context: 'argocd/prod',
      sha: SHA,
      state: 'success',
      at: '2031-01-01T00:00:00Z',
    });
    expect(parseStatusEvent(body, NOW)).toMatchObject({ check: { at: NOW } });
  });
});
