import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { assumeRoleProvider } from '../../src/registries/ecr/credentials.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { configFor, sourceFor, STATIC_CREDENTIALS, staticCredentials } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.ecr.bulkCreate({ repositories: 3, imagesPerRepository: 4, prefix: 'xacct/r-' });
});
afterAll(async () => {
  await emulator.close();
});

const ROLE = 'arn:aws:iam::210987654321:role/drawbridge-reader';

describe('ECR source: credentials', () => {
  it('assumes aws.roleArn once through STS and signs every ECR call with the role', async () => {
    const config = configFor(
      emulator,
      { a: { name: 'xacct/r-0' }, b: { name: 'xacct/r-1' } },
      { roleArn: ROLE, externalId: 'shared-secret' },
    );
    emulator.sts.requireExternalId(ROLE, 'shared-secret');
    emulator.server.resetCalls();
    const source = sourceFor(emulator, config, { env: { AWS_ENDPOINT_URL_STS: emulator.endpoint } });
    const result = await source.listMany(['a', 'b']);
    expect(result.failed.size).toBe(0);
    expect(emulator.server.calls('sts.AssumeRole')).toBe(1);
    const [issued] = emulator.sts.issued().filter((i) => i.roleArn === ROLE);
    expect(issued).toMatchObject({ sessionName: 'drawbridge', externalId: 'shared-secret' });
    expect(emulator.ecr.callsBy(issued!.accessKeyId)).toBe(2);
    expect(emulator.ecr.callsBy(STATIC_CREDENTIALS.accessKeyId)).toBe(0);
    source.close();
  });

  it('uses an image roleArn over aws.roleArn, and the base credentials without any', async () => {
    const imageRole = 'arn:aws:iam::210987654321:role/image-only';
    const config = configFor(emulator, {
      plain: { name: 'xacct/r-0' },
      special: { name: 'xacct/r-2', roleArn: imageRole },
    });
    const source = sourceFor(emulator, config, { env: { AWS_ENDPOINT_URL: emulator.endpoint } });
    const before = emulator.ecr.callsBy(STATIC_CREDENTIALS.accessKeyId);
    await source.listMany(['plain', 'special']);
    expect(emulator.ecr.callsBy(STATIC_CREDENTIALS.accessKeyId)).toBe(before + 1);
    const issued = emulator.sts.issued().filter((i) => i.roleArn === imageRole);
    expect(issued).toHaveLength(1);
    expect(emulator.ecr.callsBy(issued[0]!.accessKeyId)).toBe(1);
    source.close();
  });

  it('takes static keys from the env it was given when no provider is passed', async () => {
    const config = configFor(emulator, { a: { name: 'xacct/r-0' } });
    const source = sourceFor(emulator, config, {
      credentials: undefined,
      env: { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'secret' },
    });
    await source.list('a');
    expect(emulator.ecr.callsBy('AKIDFROMENV')).toBe(1);
    source.close();
  });

  it('reports a refused AssumeRole per repository with a trust-policy hint', async () => {
    const denied = 'arn:aws:iam::210987654321:role/not-trusted';
    emulator.sts.denyRole(denied);
    const config = configFor(emulator, {
      ok: { name: 'xacct/r-0' },
      no: { name: 'xacct/r-1', roleArn: denied },
    });
    const source = sourceFor(emulator, config, {
      env: { AWS_ENDPOINT_URL_STS: emulator.endpoint },
      maxAttempts: 1,
    });
    const result = await source.listMany(['ok', 'no']);
    expect([...result.listed.keys()]).toEqual(['ok']);
    const error = result.failed.get('no');
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'AccessDenied', retryable: false });
    expect(error?.hint).toMatch(/sts:AssumeRole/);
    expect(error?.context).toMatchObject({ roleArn: denied, image: 'no' });
    source.close();
  });

  it('caches assumed credentials and refreshes them five minutes before expiry', async () => {
    let clock = new Date();
    const provider = assumeRoleProvider({
      roleArn: ROLE,
      externalId: 'shared-secret',
      region: emulator.region,
      endpoint: emulator.endpoint,
      credentials: staticCredentials,
      now: () => clock,
      durationSeconds: 900,
    });
    emulator.server.resetCalls();
    const [first, again] = await Promise.all([provider(), provider()]);
    expect(again).toBe(first);
    expect(first.accessKeyId).toMatch(/^ASIA/);
    expect(first.expiration).toBeInstanceOf(Date);
    clock = new Date(clock.getTime() + 9 * 60_000);
    expect(await provider()).toBe(first);
    expect(emulator.server.calls('sts.AssumeRole')).toBe(1);
    clock = new Date(clock.getTime() + 2 * 60_000);
    const refreshed = await provider();
    expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
    expect(emulator.server.calls('sts.AssumeRole')).toBe(2);
  });
});
