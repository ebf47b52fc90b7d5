/** The OCI Distribution image source behind the registry seam: see source.ts. */
import type { SourceFactory } from '../../registry.js';
import { createOciSource } from './source.js';

export const createOciImageSource: SourceFactory = (options) =>
  createOciSource({
    config: options.config,
    logger: options.logger.child({ component: 'oci' }),
    env: options.env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onRegistryRequest ? { onRequest: options.onRegistryRequest } : {}),
  });
