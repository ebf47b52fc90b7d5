/** A daemon on a runtime's pieces, as `drawbridge run` builds it, for the endpoint tests. */
import type { Config } from '../../src/config/schema.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import { Metrics } from '../../src/daemon/metrics.js';
import type { Logger } from '../../src/log/logger.js';
import type { Runtime } from '../../src/runtime.js';

export async function startDaemonOn(
  runtime: Runtime,
  options: {
    readonly config: Config;
    readonly logger: Logger;
    readonly env: NodeJS.ProcessEnv;
    readonly metrics?: Metrics;
  },
): Promise<Daemon> {
  return startDaemon({
    config: options.config,
    reconciler: runtime.reconciler,
    source: runtime.source,
    notifier: runtime.notifier,
    workspaces: runtime.workspaces,
    logger: options.logger,
    env: options.env,
    metrics: options.metrics ?? new Metrics({ processMetrics: false }),
    startupSweep: false,
  });
}
