import type { Ordering } from '../ordering.js';

/**
 * `order: alphabetical`: last in byte order (`direction: desc`: first). JavaScript compares
 * UTF-16 code units, which is byte order for the ASCII that Docker tags are made of.
 */
export function alphabeticalOrdering(direction: 'asc' | 'desc'): Ordering<string> {
  const sign = direction === 'asc' ? 1 : -1;
  return {
    kind: 'alphabetical',
    noun: 'key',
    unparsed: 'pattern',
    parse: (text) => text,
    admit: () => undefined,
    compare: (a, b) => (a === b ? 0 : a > b ? sign : -sign),
    show: (key) => JSON.stringify(key),
    describe(count) {
      if (count === 1) return 'the only tag';
      return `${direction === 'asc' ? 'last' : 'first'} of ${count} in byte order`;
    },
  };
}
