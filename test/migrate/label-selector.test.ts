/** Flux's policySelector: a Kubernetes label selector over the ImagePolicy objects' labels. */
import { describe, expect, it } from 'vitest';
import { labelSelector } from '../../src/migrate/label-selector.js';
import { objectsOf } from '../../src/migrate/objects.js';
import { importFlux } from '../../src/migrate/flux.js';

describe('policySelector', () => {
  it('selects by matchLabels and every matchExpressions operator', () => {
    const selects = labelSelector({
      matchLabels: { team: 'payments' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['api', 'web'] },
        { key: 'stage', operator: 'NotIn', values: ['canary'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'frozen', operator: 'DoesNotExist' },
      ],
    });
    if (typeof selects !== 'function') throw new Error(selects.problem);
    const base = { team: 'payments', tier: 'api', owner: 'ada' };
    expect(selects(base)).toBe(true);
    expect(selects({ ...base, team: 'search' })).toBe(false);
    expect(selects({ ...base, tier: 'batch' })).toBe(false);
    expect(selects({ ...base, stage: 'canary' })).toBe(false);
    expect(selects({ team: 'payments', tier: 'web' })).toBe(false);
    expect(selects({ ...base, frozen: 'yes' })).toBe(false);
    expect(labelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toEqual({
      problem: 'matchExpressions operator Gt is not In, NotIn, Exists or DoesNotExist',
    });
  });

  it('gives an automation only the policies its selector selects', () => {
    const policy = (name: string, team: string) => `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: { name: ${name}, namespace: flux-system, labels: { team: ${team} } }
spec: { imageRepositoryRef: { name: ${name} }, policy: { semver: { range: '^1.0.0' } } }
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata: { name: ${name}, namespace: flux-system }
spec: { image: ghcr.io/acme/${name} }
`;
    const automation = (name: string, selector: string) => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: { name: ${name}, namespace: flux-system }
spec:
  sourceRef: { kind: GitRepository, name: flux-system }
  git: { checkout: { ref: { branch: ${name} } } }
  ${selector}
`;
    const text = [
      policy('api', 'payments'),
      policy('web', 'search'),
      automation('payments', 'policySelector: { matchLabels: { team: payments } }'),
      automation('everyone', ''),
      automation('odd', 'policySelector: { matchExpressions: [{ key: team, operator: Gt }] }'),
    ].join('---\n');
    const config = importFlux(objectsOf(text, 'flux.yaml'));
    const picked = Object.fromEntries(
      config.environments.map((environment) => [environment.name, environment.policies.map((p) => p.image)]),
    );
    expect(picked).toEqual({ payments: ['api'], everyone: ['api', 'web'], odd: ['api', 'web'] });
    expect(config.environments[2]!.notes).toContainEqual(
      expect.stringContaining('its policySelector cannot be read (matchExpressions operator Gt'),
    );
  });
});
