/** The ECR image source behind the registry seam: see source.ts. */
import type { SourceFactory } from '../../registry.js';
import { createEcrSource } from './source.js';

export const createEcrImageSource: SourceFactory = (options) =>
  createEcrSource({
    config: options.config,
    logger: options.logger.child({ component: 'ecr' }),
    env: options.env,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onEcrCall ? { onCall: options.onEcrCall } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
