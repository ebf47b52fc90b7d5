import { ECRClient } from '@aws-sdk/client-ecr';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createEcrSource, type EcrSource, type EcrSourceOptions } from '../../src/registries/ecr/source.js';
import type { Emulator } from '../../src/testing/emulator/index.js';

export const STATIC_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
export const staticCredentials = async () => STATIC_CREDENTIALS;

export function configFor(
  emulator: Emulator,
  images: Record<string, { repository?: string; name?: string; roleArn?: string; region?: string }>,
  aws: Partial<NonNullable<ConfigInput['aws']>> = {},
): Config {
  return configSchema.parse({
    version: 1,
    git: { url: 'file:///dev/null' },
    aws: { endpoint: emulator.endpoint, ...aws },
    images: Object.fromEntries(
      Object.entries(images).map(([key, image]) => {
        const { name, ...rest } = image;
        return [key, { repository: image.repository ?? emulator.ecr.repositoryUri(name ?? key), ...rest }];
      }),
    ),
    environments: {},
  });
}

export function sourceFor(
  emulator: Emulator,
  config: Config,
  options: Partial<EcrSourceOptions> = {},
): EcrSource {
  return createEcrSource({
    config,
    logger: silentLogger(),
    env: {},
    credentials: staticCredentials,
    ...options,
  });
}

export function clientFor(emulator: Emulator): ECRClient {
  return new ECRClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: STATIC_CREDENTIALS,
    maxAttempts: 1,
  });
}
