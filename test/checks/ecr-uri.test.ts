import { describe, expect, it } from 'vitest';
import { parseRepositoryUri } from '../../src/checks/ecr-uri.js';

describe('parseRepositoryUri', () => {
  it.each([
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/podinfo',
      '123456789012',
      'eu-west-1',
      'podinfo',
      false,
      'amazonaws.com',
    ],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api',
      '123456789012',
      'us-east-1',
      'acme/api',
      false,
      'amazonaws.com',
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team/app',
      '123456789012',
      'us-gov-west-1',
      'team/app',
      true,
      'amazonaws.com',
    ],
    [
      '123456789012.dkr.ecr.us-gov-east-1.amazonaws.com/app',
      '123456789012',
      'us-gov-east-1',
      'app',
      false,
      'amazonaws.com',
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app',
      '123456789012',
      'cn-north-1',
      'app',
      false,
      'amazonaws.com.cn',
    ],
    [
      '123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/app',
      '123456789012',
      'us-iso-east-1',
      'app',
      false,
      'c2s.ic.gov',
    ],
    [
      '123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/app',
      '123456789012',
      'us-isob-east-1',
      'app',
      false,
      'sc2s.sgov.gov',
    ],
    [
      '123456789012.dkr.ecr.ap-southeast-5.amazonaws.com/a.b_c-d/e-f',
      '123456789012',
      'ap-southeast-5',
      'a.b_c-d/e-f',
      false,
      'amazonaws.com',
    ],
  ])('%s', (uri, registryId, region, name, fips, domain) => {
    expect(parseRepositoryUri(uri)).toEqual({ uri, registryId, region, name, fips, domain });
  });

  it.each([
    ['no repository name', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'],
    ['eleven-digit account', '12345678901.dkr.ecr.eu-west-1.amazonaws.com/app'],
    ['uppercase name', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/App'],
    ['a tag in the URI', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0.0'],
    ['a scheme', 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/app'],
    ['not ECR', 'ghcr.io/acme/app'],
    ['ECR Public', 'public.ecr.aws/acme/app'],
    ['bad region', '123456789012.dkr.ecr.europe.amazonaws.com/app'],
    ['trailing slash', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app/'],
    ['double separator', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/a--b'],
  ])('refuses %s', (_why, uri) => {
    expect(parseRepositoryUri(uri)).toBeUndefined();
  });
});
