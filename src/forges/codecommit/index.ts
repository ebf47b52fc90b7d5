/**
 * AWS CodeCommit as a forge: `forge.repository` is the repository name, `forge.region` its
 * region (else AWS_REGION / AWS_DEFAULT_REGION); calls go through @aws-sdk/client-codecommit
 * to the endpoint override when one is given (the emulator, a VPC endpoint).
 */
import { isValidRegion } from '../../checks/grammar.js';
import { ForgeError } from '../../errors.js';
import type { ForgeFactory } from '../../forge.js';
import { printable } from '../../log/printable.js';
import { codeCommitApi } from './api.js';
import { codeCommitClient } from './client.js';
import { codeCommitForge } from './forge.js';

/** CodeCommit's repository name rule. */
const REPOSITORY_NAME = /^[\w.-]{1,100}$/;

export const createCodeCommitForge: ForgeFactory = (options) => {
  const { settings, env } = options;
  const repository = settings.repository;
  if (!REPOSITORY_NAME.test(repository) || repository.endsWith('.git'))
    throw new ForgeError(
      `forge.repository ${JSON.stringify(printable(repository, 120))} is not a CodeCommit repository name`,
      {
        retryable: false,
        hint: 'the repository name alone (letters, digits, ., _ and -, at most 100), not its clone URL',
      },
    );
  const region = settings.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (region === undefined || !isValidRegion(region))
    throw new ForgeError(
      region === undefined
        ? 'CodeCommit needs a region'
        : `forge.region ${JSON.stringify(printable(region, 40))} is not an AWS region`,
      { retryable: false, hint: 'set forge.region (e.g. eu-west-1), or AWS_REGION', context: { repository } },
    );
  const client = codeCommitClient({
    region,
    env,
    redactor: options.redactor,
    ...(options.awsEndpoint === undefined ? {} : { endpoint: options.awsEndpoint }),
  });
  const scope = { repository, region };
  return codeCommitForge(codeCommitApi(client, scope), scope, options.logger);
};
