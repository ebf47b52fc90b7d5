/** Writes or removes one hold in the environment branch's holds file, pushing with retries. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { HOLDS_FILE, parseHolds, updateHolds, type HoldEntry } from './holds.js';
import { renderHoldMessage } from './message.js';
import { retryOnRejection } from './retry.js';
import type { Workspace } from './workspace.js';

export interface HoldChange {
  readonly environment: string;
  readonly branch: string;
  readonly image: string;
  /** true: hold; false: release. */
  readonly hold: boolean;
  readonly reason?: string;
  readonly by: string;
  readonly at: Date;
  readonly attempts: number;
  readonly logger: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface HoldOutcome {
  /**
   * `committed`: the hold was placed, its reason changed, or it was lifted, in one commit.
   * `unchanged`: no commit; already held with that reason (or holding again without a
   * reason), or releasing an image that is not held.
   */
  readonly status: 'committed' | 'unchanged';
  readonly commit?: string;
  /**
   * The hold on the branch before this change, if there was one: for `unchanged` holds the
   * standing hold, for a committed hold the one whose reason was replaced, for a release the
   * one lifted.
   */
  readonly previous?: HoldEntry;
  readonly attempts: number;
}

/**
 * Idempotent: holding an image already held with the same reason, or holding it again
 * without `reason`, commits nothing, and neither does releasing an image that is not held. A
 * different reason replaces the hold (reason, by, at) in one commit.
 */
export async function writeHold(workspace: Workspace, change: HoldChange): Promise<HoldOutcome> {
  const context = { environment: change.environment, image: change.image, branch: change.branch };
  const { value, attempts } = await retryOnRejection<Omit<HoldOutcome, 'attempts'>>(
    {
      attempts: change.attempts,
      logger: change.logger,
      context,
      ...(change.sleep ? { sleep: change.sleep } : {}),
    },
    async () => {
      await workspace.fetch();
      const checkout = await workspace.checkout(change.branch, `hold-${change.environment}`);
      const file = join(checkout.dir, HOLDS_FILE);
      const current = await readFile(file, 'utf8').catch(() => undefined);
      const previous = parseHolds(current).get(change.environment)?.get(change.image);
      const before = previous === undefined ? {} : { previous };
      if (standing(previous, change)) return { status: 'done', value: { status: 'unchanged', ...before } };
      const entry = change.hold
        ? { ...(change.reason === undefined ? {} : { reason: change.reason }), by: change.by, at: change.at }
        : undefined;
      const next = updateHolds(current, change.environment, change.image, entry);
      if (!next.changed) return { status: 'done', value: { status: 'unchanged', ...before } };
      if (next.text === undefined) {
        await rm(file, { force: true });
      } else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, next.text);
      }
      const message = renderHoldMessage({
        ...change,
        ...(change.reason === undefined ? {} : { reason: change.reason }),
      });
      const commit = await workspace.commit(checkout, message);
      if (commit === undefined) return { status: 'done', value: { status: 'unchanged', ...before } };
      const pushed = await workspace.push(checkout, { branch: change.branch, expected: checkout.head });
      if (pushed === 'rejected') return { status: 'rejected' };
      return { status: 'done', value: { status: 'committed', commit, ...before } };
    },
  );
  return { ...value, attempts };
}

/** Whether the branch already says what `change` asks for, so there is nothing to commit. */
function standing(previous: HoldEntry | undefined, change: HoldChange): boolean {
  if (!change.hold) return previous === undefined;
  if (previous === undefined) return false;
  // Holding again without a reason keeps the standing hold and its reason.
  return change.reason === undefined || change.reason === previous.reason;
}
