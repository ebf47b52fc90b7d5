import type { Ordering } from '../ordering.js';
import {
  blankNumberKey,
  compareNumberKeys,
  formatNumberKey,
  parseNumberKey,
  type MutableNumberKey,
} from '../number-key.js';

/** `order: numerical`: the highest number (`direction: desc`: the lowest). */
export function numericalOrdering(direction: 'asc' | 'desc'): Ordering<MutableNumberKey> {
  const sign = direction === 'asc' ? 1 : -1;
  return {
    kind: 'numerical',
    noun: 'number',
    unparsed: 'not-numeric',
    parse: (text, _candidate, into) => parseNumberKey(text, into),
    blank: blankNumberKey,
    admit: () => undefined,
    compare: (a, b) => sign * compareNumberKeys(a, b),
    show: formatNumberKey,
    describe(count) {
      if (count === 1) return 'the only numeric tag';
      return `${direction === 'asc' ? 'highest' : 'lowest'} of ${count} numbers`;
    },
  };
}
