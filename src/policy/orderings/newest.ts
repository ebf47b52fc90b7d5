import type { Ordering } from '../ordering.js';

/** `newest: pushed`: the most recent imagePushedAt. */
export function newestOrdering(): Ordering<number> {
  return {
    kind: 'newest',
    noun: 'push time',
    unparsed: 'pattern',
    // A tag not read yet might be the newest: it ranks first until it is read.
    parse: (_text, candidate) => (candidate.pending ? Number.MAX_VALUE : candidate.pushedAt.getTime() || 0),
    admit: () => undefined,
    compare: (a, b) => (a === b ? 0 : a > b ? 1 : -1),
    show: (key) => new Date(key).toISOString(),
    describe: (count) => (count === 1 ? 'the only tag' : `most recently pushed of ${count}`),
  };
}
