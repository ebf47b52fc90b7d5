/**
 * A Kubernetes label selector (`matchLabels` and `matchExpressions` with `In`, `NotIn`,
 * `Exists`, `DoesNotExist`), as Flux's `ImageUpdateAutomation.spec.policySelector` uses it to
 * pick the `ImagePolicy` objects whose setters it runs. Every requirement must hold; an empty
 * selector selects everything. A selector this cannot read is returned as a problem.
 */
import { isRecord } from '../checks/record.js';

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

export function labelSelector(selector: unknown): LabelMatcher | { readonly problem: string } {
  if (!isRecord(selector)) return { problem: 'not a mapping' };
  const tests: LabelMatcher[] = [];
  const matchLabels = selector['matchLabels'];
  if (matchLabels !== undefined) {
    if (!isRecord(matchLabels)) return { problem: 'matchLabels is not a mapping' };
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return { problem: `matchLabels.${key} is not a string` };
      tests.push((labels) => labels[key] === value);
    }
  }
  const expressions = selector['matchExpressions'];
  if (expressions !== undefined) {
    if (!Array.isArray(expressions)) return { problem: 'matchExpressions is not a list' };
    for (const expression of expressions) {
      const key = isRecord(expression) ? expression['key'] : undefined;
      const operator = isRecord(expression) ? expression['operator'] : undefined;
      const values = isRecord(expression) && Array.isArray(expression['values']) ? expression['values'] : [];
      if (typeof key !== 'string') return { problem: 'a matchExpressions entry names no key' };
      const set = new Set(values.filter((value): value is string => typeof value === 'string'));
      switch (operator) {
        case 'In':
          tests.push((labels) => labels[key] !== undefined && set.has(labels[key]));
          break;
        case 'NotIn':
          tests.push((labels) => labels[key] === undefined || !set.has(labels[key]));
          break;
        case 'Exists':
          tests.push((labels) => labels[key] !== undefined);
          break;
        case 'DoesNotExist':
          tests.push((labels) => labels[key] === undefined);
          break;
        default:
          return {
            problem: `matchExpressions operator ${String(operator)} is not In, NotIn, Exists or DoesNotExist`,
          };
      }
    }
  }
  return (labels) => tests.every((test) => test(labels));
}
