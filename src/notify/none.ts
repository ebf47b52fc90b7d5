/**
 * The notifier for a config without `notify.eventBridge`: kept apart from eventbridge.ts so a
 * process that announces nothing never loads the EventBridge client.
 */
import type { Notifier } from './types.js';

export function noopNotifier(): Notifier {
  return {
    notify() {},
    flush: () => Promise.resolve(),
  };
}
