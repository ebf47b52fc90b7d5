/**
 * What every notifier says about a pushed update or revert: the EventBridge event's `detail`,
 * a webhook's JSON body and a Slack message are all made from these. The remote never carries
 * credentials.
 */
import type { Redactor } from '../log/redact.js';
import { remoteWithoutCredentials } from './remote.js';
import type { PushedRevert, PushedUpdate } from './types.js';

/** How webhooks and Slack name what happened (`X-Drawbridge-Event`, a webhook body's `type`). */
export const UPDATE_EVENT = 'image.update.committed';
export const REVERT_EVENT = 'image.update.reverted';

/** The `detail` of an `Image Update Committed` event: the update, its time as ISO text. */
export type UpdateDetail = Omit<PushedUpdate, 'pushedAt'> & { readonly time: string };

export function updateDetail(update: PushedUpdate, redactor?: Redactor): UpdateDetail {
  return {
    environment: update.environment,
    image: update.image,
    repository: update.repository,
    old: update.old,
    new: update.new,
    digest: update.digest,
    commit: update.commit,
    branch: update.branch,
    remote: remoteWithoutCredentials(update.remote, redactor),
    time: update.pushedAt.toISOString(),
    ...(update.pullRequest
      ? { pullRequest: { number: update.pullRequest.number, url: update.pullRequest.url } }
      : {}),
  };
}

/** The `detail` of an `Image Update Reverted` event. */
export function revertDetail(revert: PushedRevert, redactor?: Redactor): Record<string, unknown> {
  return {
    environment: revert.environment,
    commit: revert.commit,
    revert: revert.revert,
    context: revert.context,
    failedAt: revert.failedAt.toISOString(),
    images: revert.images.map(({ image, tag }) => ({ image, tag })),
    branch: revert.branch,
    remote: remoteWithoutCredentials(revert.remote, redactor),
    time: revert.pushedAt.toISOString(),
  };
}
