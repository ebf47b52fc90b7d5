import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseConfig } from '../../src/config/load.js';
import { classifyRemoteUrl } from '../../src/config/repositories.js';
import { captureIO, expectIssues, type Expected } from './helpers.js';

/** `git.url` at line 2, column 13; `repositories.other.url` at line 10, column 17. */
const config = (gitUrl: string, otherUrl?: string): string =>
  [
    'version: 1',
    `git: { url: ${JSON.stringify(gitUrl)} }`,
    'images:',
    '  api:',
    '    repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api',
    'environments:',
    '  dev: { branch: dev, policies: { api: { newest: pushed } } }',
    ...(otherUrl === undefined
      ? []
      : [
          '  ops: { repository: other, branch: main, policies: { api: { newest: pushed } } }',
          'repositories:',
          `  other: { url: ${JSON.stringify(otherUrl)} }`,
        ]),
    '',
  ].join('\n');

const SUPPORTED = 'https://host/path, http://host/path, ssh://[user@]host[:port]/path';

describe('remote URL forms', () => {
  it.each([
    ['https://github.com/acme/fleet.git', 'https'],
    ['https://x-access-token:t@gitlab.example.com/acme/fleet.git', 'https'],
    ['http://git.internal:8080/acme/fleet.git', 'http'],
    ['ssh://git@github.com:22/acme/fleet.git', 'ssh'],
    ['ssh://[::1]:2222/fleet.git', 'ssh'],
    ['git+ssh://git@github.com/acme/fleet.git', 'ssh'],
    ['ssh+git://git@github.com/acme/fleet.git', 'ssh'],
    ['git@github.com:acme/fleet.git', 'scp'],
    ['github.com:acme/fleet.git', 'scp'],
    ['[git.example:22]:fleet.git', 'scp'],
    ['file:///srv/fleet.git', 'file'],
    ['/srv/fleet.git', 'path'],
    ['./fleet', 'path'],
    ['../fleet.git', 'path'],
    ['fleet.git', 'path'],
    ['./odd:name.git', 'path'],
    ['C:\\repos\\fleet.git', 'path'],
  ])('%s is accepted as %s', (url, form) => {
    expect(classifyRemoteUrl(url)).toEqual({ form });
    expect(() => parseConfig(config(url), '/conf/drawbridge.yaml')).not.toThrow();
  });

  const refused: readonly (readonly [string, string, string])[] = [
    [
      'git://github.com:9418/acme/fleet.git',
      '`git://` is unauthenticated and unencrypted: anyone on the way could change what drawbridge reads and pushes',
      'e.g. `https://github.com/acme/fleet.git` or `ssh://git@github.com/acme/fleet.git`',
    ],
    ['foo://host/fleet.git', '`foo://` is not a remote drawbridge supports', SUPPORTED],
    ['ftp://host/fleet.git', '`ftp://` is not a remote drawbridge supports', SUPPORTED],
    ['a_b://host/fleet.git', '`a_b://` is neither a URL scheme nor a path', SUPPORTED],
    [
      'ext::sh -c touch% /tmp/pwned',
      "`ext::` hands the remote to git's `git-remote-ext` helper (`<transport>::<address>`), which may run commands",
      SUPPORTED,
    ],
    [
      'fd::0,1',
      "`fd::` hands the remote to git's `git-remote-fd` helper (`<transport>::<address>`), which may run commands",
      SUPPORTED,
    ],
    [
      'https::https://github.com/acme/fleet.git',
      "`https::` hands the remote to git's `git-remote-https` helper (`<transport>::<address>`), which may run commands",
      SUPPORTED,
    ],
    [
      'HTTPS://github.com/acme/fleet.git',
      'git reads the URL scheme case-sensitively: `HTTPS://` is not `https://`',
      'write `https://…`',
    ],
    [
      'file://fleet.git',
      'a file:// URL needs an absolute path: git would read `fleet.git` from its own working folder',
      'or the path alone (`fleet.git`)',
    ],
    ['https:///acme/fleet.git', 'this https:// URL names no host', 'write `https://host/path`'],
    ['ssh://git@/fleet.git', 'this ssh:// URL names no host', 'write `ssh://host/path`'],
    ['https://exa mple.com/fleet.git', 'this is not a valid https:// URL', 'write `https://host/path`'],
    [
      'ssh://-oProxyCommand=touch%20x/fleet.git',
      '`-oProxyCommand=touch%20x` starts with `-`, which ssh would read as an option',
      'git refuses such a remote too',
    ],
    [
      '-oProxyCommand=x:fleet.git',
      '`-oProxyCommand=x` starts with `-`, which ssh would read as an option',
      'git refuses such a remote too',
    ],
    [
      ':fleet.git',
      'nothing before the `:` names a host, so git would read this as an ssh remote without a host',
      '`./` before a local path',
    ],
  ];

  it.each(refused)('%s is refused at git.url with a position and a hint', (url, message, hint) => {
    expectIssues(config(url), [[2, 13, 'git.url', message, hint]]);
  });

  it.each(refused)('%s is refused at repositories.<name>.url too', (url, message, hint) => {
    const expected: Expected[] = [[10, 17, 'repositories.other.url', message, hint]];
    expectIssues(config('file:///srv/fleet.git', url), expected);
  });

  it('reports refused URLs together with the other problems of the file', () => {
    const text = config('git://host/fleet.git', 'fd::3').replace('newest: pushed', 'newst: pushed');
    expectIssues(text, [
      [
        2,
        13,
        'git.url',
        '`git://` is unauthenticated and unencrypted: anyone on the way could change what drawbridge reads and pushes',
      ],
      [7, 42, 'environments.dev.policies.api.newst', 'unknown key `newst`'],
      [
        10,
        17,
        'repositories.other.url',
        "`fd::` hands the remote to git's `git-remote-fd` helper (`<transport>::<address>`), which may run commands",
      ],
    ]);
  });
});

describe('drawbridge validate on a refused URL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-urls-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 on git:// with file:line:column and a hint, and never treats it as a path', async () => {
    await writeFile(join(dir, 'drawbridge.yaml'), config('git://git.example/acme/fleet.git'));
    const io = captureIO(dir);
    expect(await runCli(['validate', '--no-markers'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('drawbridge.yaml:2:13  git.url: `git://` is unauthenticated and unencrypted');
    expect(io.err()).toContain('hint: use https or ssh instead, e.g. `https://git.example/acme/fleet.git`');
  });

  it('exits 2 on an ext:: transport', async () => {
    await writeFile(join(dir, 'ext.yaml'), config('file:///srv/fleet.git', 'ext::sh -c id'));
    const io = captureIO(dir);
    expect(await runCli(['validate', '--no-markers', '-c', 'ext.yaml'], io)).toBe(2);
    expect(io.err()).toContain("ext.yaml:10:17  repositories.other.url: `ext::` hands the remote to git's");
  });
});
