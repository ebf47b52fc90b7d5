/** Several notifiers as one: each hears every update and revert; flush waits for all. */
import type { Notifier } from './types.js';

export function fanOut(notifiers: readonly Notifier[]): Notifier {
  if (notifiers.length === 1) return notifiers[0]!;
  return {
    notify(updates) {
      for (const notifier of notifiers) notifier.notify(updates);
    },
    notifyReverts(reverts) {
      for (const notifier of notifiers) notifier.notifyReverts?.(reverts);
    },
    async flush() {
      await Promise.all(notifiers.map((notifier) => notifier.flush()));
    },
  };
}
