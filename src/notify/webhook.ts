/**
 * `notify.webhooks`: one JSON POST per pushed update (`image.update.committed`, the body the
 * EventBridge event's `detail` carries, with `type`) and per revert drawbridge pushed
 * (`image.update.reverted`), signed with HMAC-SHA256 when the receiver has a secret. Each
 * receiver has its own bounded queue (delivery.ts), so a slow one delays nobody else.
 */
import type { Redactor } from '../log/redact.js';
import { createDelivery, type Delivery, type DeliveryOptions } from './delivery.js';
import { REVERT_EVENT, revertDetail, UPDATE_EVENT, updateDetail } from './detail.js';
import type { Notifier } from './types.js';

export type ReceiverOptions = Omit<DeliveryOptions, 'onResult'>;

export function createWebhookNotifier(
  receivers: readonly ReceiverOptions[],
  options: { readonly redactor?: Redactor; readonly onResult?: DeliveryOptions['onResult'] } = {},
): Notifier {
  const deliveries: Delivery[] = receivers.map((receiver) =>
    createDelivery({ ...receiver, ...(options.onResult ? { onResult: options.onResult } : {}) }),
  );
  return {
    notify(updates) {
      for (const update of updates) {
        const body = { type: UPDATE_EVENT, ...updateDetail(update, options.redactor) };
        for (const delivery of deliveries) delivery.enqueue({ event: UPDATE_EVENT, body });
      }
    },
    notifyReverts(reverts) {
      for (const revert of reverts) {
        const body = { type: REVERT_EVENT, ...revertDetail(revert, options.redactor) };
        for (const delivery of deliveries) delivery.enqueue({ event: REVERT_EVENT, body });
      }
    },
    async flush() {
      await Promise.all(deliveries.map((delivery) => delivery.flush()));
    },
  };
}
