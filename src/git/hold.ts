/** Writes or removes one hold in the environment branch's holds file, pushing with retries. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { HOLDS_FILE, updateHolds } from './holds.js';
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
  /** `unchanged`: already held with that reason, or not held at all. */
  readonly status: 'committed' | 'unchanged';
  readonly commit?: string;
  readonly attempts: number;
}

export async function writeHold(workspace: Workspace, change: HoldChange): Promise<HoldOutcome> {
  const entry = change.hold
    ? { ...(change.reason === undefined ? {} : { reason: change.reason }), by: change.by, at: change.at }
    : undefined;
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
      const next = updateHolds(current, change.environment, change.image, entry);
      if (!next.changed) return { status: 'done', value: { status: 'unchanged' } };
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
      if (commit === undefined) return { status: 'done', value: { status: 'unchanged' } };
      const pushed = await workspace.push(checkout, { branch: change.branch, expected: checkout.head });
      if (pushed === 'rejected') return { status: 'rejected' };
      return { status: 'done', value: { status: 'committed', commit } };
    },
  );
  return { ...value, attempts };
}
