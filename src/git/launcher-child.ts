/**
 * The git launcher's child process (see launcher.ts): runs each git command its parent sends
 * over the IPC channel and answers with the exit code and output. It ignores SIGINT and
 * SIGTERM, so that a parent finishing its reconciliation after a signal can still run git,
 * and exits when the parent disconnects.
 */
import type { LauncherAnswer, LauncherRequest } from './launcher.js';
import { spawnGit } from './spawn-git.js';

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));
process.on('message', (request: LauncherRequest) => {
  void spawnGit(request).then((exit) => {
    const answer: LauncherAnswer = { id: request.id, exit };
    process.send?.(answer);
  });
});
process.send?.({ ready: true });
