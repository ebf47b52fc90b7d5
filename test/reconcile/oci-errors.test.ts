/**
 * Errors are per image (SPEC §12): in one `drawbridge scan`, an image whose repository does not
 * exist and one whose registry is down are reported with what to fix, and the image beside
 * them on a working registry (the Bearer token flow of a real docker-registry) is committed.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { appDeployment } from '../helpers/app-deployment.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';

const env = isolatedGitEnv({ REG_USER: 'ci', REG_PASSWORD: 'token-flow-secret-7' });

describe.runIf(registryInstalled())('OCI registry errors', () => {
  let registry: TestRegistry;
  let remote: TestRemote;
  let configFile: string;
  let uri: Record<string, string>;
  let down: string;

  beforeAll(async () => {
    registry = await startTestRegistry({ users: { ci: 'token-flow-secret-7' }, token: {} });
    await registry.push('team/api', '1.0.0');
    await registry.push('team/api', '1.1.0');
    // A port nothing listens on: the registry that is down.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    down = `127.0.0.1:${closed}`;
    uri = { api: `${registry.host}/team/api`, gone: `${registry.host}/team/gone`, down: `${down}/team/down` };
    remote = await createTestRemote({
      main: { 'app.yaml': appDeployment(uri, { api: '1.0.0', gone: '1.0.0', down: '1.0.0' }) },
    });
    configFile = join(remote.root, 'drawbridge.yaml');
    await writeFile(
      configFile,
      [
        'version: 1',
        `git: { url: ${remote.url}, workdir: ${join(remote.root, 'work')} }`,
        'registries:',
        `  '${registry.host}': { insecure: true, usernameEnv: REG_USER, passwordEnv: REG_PASSWORD }`,
        `  '${down}': { insecure: true }`,
        'images:',
        ...Object.entries(uri).map(([key, repository]) => `  ${key}: { repository: '${repository}' }`),
        'environments:',
        '  prod:',
        '    branch: main',
        "    policies: { api: { semver: '^1.0.0' }, gone: { semver: '^1.0.0' }, down: { semver: '^1.0.0' } }",
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await registry?.close();
    await remote?.cleanup();
  });

  it('commits the image it can read and names, with a hint, each it cannot', async () => {
    const io = captureIO({ env, cwd: remote.root });
    const code = await runCli(['scan', '--config', configFile], io);
    const out = io.out();
    expect(code, io.err()).toBe(1);
    const app = (await remote.readFile('main', 'app.yaml')) ?? '';
    expect(app).toContain(`image: ${uri['api']}:1.1.0 `);
    expect(app).toContain(`image: ${uri['gone']}:1.0.0 `);
    expect(out).toMatch(/registry: gone \(.*\): NotFound: .*team\/gone not found/);
    expect(out).toContain('hint: check images.gone.repository');
    expect(out).toContain(`registry: down (${down}/team/down): ECONNREFUSED: cannot reach ${down}`);
    expect(`${out}${io.err()}`).not.toContain('token-flow-secret-7');
  });
});
