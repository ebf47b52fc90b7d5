/**
 * `notify.slack`: one message per pushed update to a Slack incoming webhook, readable in the
 * channel (`*prod* · api 1.2.0 → 1.3.0`, the commit, the branch and the pull request linked
 * when there is one) with the same facts as plain text for notifications. Slack reads `&`, `<`
 * and `>` as markup: every value from outside is escaped, so none can add a link or a mention.
 */
import type { Redactor } from '../log/redact.js';
import { createDelivery, type DeliveryOptions } from './delivery.js';
import { REVERT_EVENT, UPDATE_EVENT } from './detail.js';
import { remoteWithoutCredentials } from './remote.js';
import type { Notifier, PushedRevert, PushedUpdate } from './types.js';

const escape = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const short = (sha: string): string => sha.slice(0, 12);

/** Slack's message: `text` for notifications and clients without blocks, the section for the channel. */
function message(text: string, mrkdwn: string): Record<string, unknown> {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn } }] };
}

export function slackUpdateMessage(update: PushedUpdate, redactor?: Redactor): Record<string, unknown> {
  const remote = remoteWithoutCredentials(update.remote, redactor);
  const change = `${escape(update.image)} ${escape(update.old)} → ${escape(update.new)}`;
  const pr = update.pullRequest
    ? ` · <${escape(update.pullRequest.url).replaceAll('|', '%7C')}|pull request #${update.pullRequest.number}>`
    : '';
  const text = `drawbridge: ${escape(update.environment)} · ${change} (${short(update.commit)} on ${escape(update.branch)})`;
  return message(
    text,
    `*${escape(update.environment)}* · \`${change}\`\ncommit \`${short(update.commit)}\` on \`${escape(update.branch)}\` of ${escape(remote)}${pr}`,
  );
}

export function slackRevertMessage(revert: PushedRevert, redactor?: Redactor): Record<string, unknown> {
  const images = revert.images.map(({ image, tag }) => `${escape(image)} ${escape(tag)}`).join(', ');
  const text = `drawbridge: ${escape(revert.environment)} · reverted ${short(revert.commit)} (${images}): ${escape(revert.context)} failed`;
  return message(
    text,
    `*${escape(revert.environment)}* · reverted \`${short(revert.commit)}\` (${images}) as \`${short(revert.revert)}\` on \`${escape(revert.branch)}\` of ${escape(remoteWithoutCredentials(revert.remote, redactor))}: \`${escape(revert.context)}\` failed`,
  );
}

export function createSlackNotifier(
  receiver: Omit<DeliveryOptions, 'onResult' | 'secret'>,
  options: { readonly redactor?: Redactor; readonly onResult?: DeliveryOptions['onResult'] } = {},
): Notifier {
  const delivery = createDelivery({
    ...receiver,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  return {
    notify(updates) {
      for (const update of updates)
        delivery.enqueue({
          event: UPDATE_EVENT,
          body: slackUpdateMessage(update, options.redactor),
        });
    },
    notifyReverts(reverts) {
      for (const revert of reverts)
        delivery.enqueue({
          event: REVERT_EVENT,
          body: slackRevertMessage(revert, options.redactor),
        });
    },
    flush: () => delivery.flush(),
  };
}
