import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLDS_FILE, parseHolds } from '../../src/git/holds.js';
import { parseTrailers } from '../../src/git/message.js';
import type { TestRemote } from '../helpers/git.js';
import { createHoldRemote, type HoldRemote } from '../helpers/hold-remote.js';

/** `hold` and `release` against a real bare remote: a commit only when the branch would change. */
describe('drawbridge hold / release are idempotent', () => {
  let remote: TestRemote;
  let cli: HoldRemote['cli'];
  const commits = async (): Promise<number> => (await remote.log('main')).length;
  const hold = async (image: string) =>
    parseHolds(await remote.readFile('main', HOLDS_FILE))
      .get('prod')
      ?.get(image);

  beforeAll(async () => {
    ({ remote, cli } = await createHoldRemote());
  });
  afterAll(() => remote.cleanup());

  it('holding twice with the same reason makes one commit and says who holds it since when', async () => {
    const first = await cli('alice', 'hold', 'prod', 'podinfo', '--reason', 'incident 4711');
    expect(first.out).toMatch(/^held podinfo in prod: commit [0-9a-f]{12} on main/);
    const count = await commits();
    const at = (await hold('podinfo'))!.at.toISOString();

    const again = await cli('bob', 'hold', 'prod', 'podinfo', '--reason', 'incident 4711');
    expect(again).toEqual({
      code: 0,
      out: `podinfo in prod is already held by alice since ${at}: incident 4711; nothing to commit\n`,
      err: '',
    });
    // Without --reason: the standing hold and its reason stay.
    expect((await cli('bob', 'hold', 'prod', 'podinfo')).out).toBe(again.out);
    expect((await cli('bob', 'hold', 'prod', 'podinfo', '--reason', '  ')).out).toBe(again.out);
    expect(await commits()).toBe(count);
    expect(await hold('podinfo')).toMatchObject({ reason: 'incident 4711', by: 'alice' });
  });

  it('a different reason replaces it in one commit and says old → new', async () => {
    const count = await commits();
    const before = (await hold('podinfo'))!;
    const changed = await cli('bob', 'hold', 'prod', 'podinfo', '--reason', 'incident 4712');
    expect(changed.code).toBe(0);
    expect(changed.out).toBe(
      `changed the hold on podinfo in prod: reason "incident 4711" → "incident 4712" (held by alice since ${before.at.toISOString()}): commit ${changed.out.match(/commit ([0-9a-f]{12})/)?.[1]} on main (${HOLDS_FILE})\n`,
    );
    expect(await commits()).toBe(count + 1);
    const [commit] = await remote.log('main');
    expect(changed.out).toContain(commit!.sha.slice(0, 12));
    expect(parseTrailers(commit!.message)).toMatchObject({ environment: 'prod', hold: 'podinfo' });
    expect(commit!.message).toContain('incident 4712');
    expect(await hold('podinfo')).toMatchObject({ reason: 'incident 4712', by: 'bob' });
    // The file holds one entry for the image, not two.
    const text = (await remote.readFile('main', HOLDS_FILE))!;
    expect(text.match(/podinfo:/g)).toHaveLength(1);
  });

  it('release of an image that is not held commits nothing and says so', async () => {
    const count = await commits();
    expect(await cli('alice', 'release', 'prod', 'api')).toEqual({
      code: 0,
      out: 'api in prod is not held; nothing to commit\n',
      err: '',
    });
    expect(await commits()).toBe(count);

    const released = await cli('alice', 'release', 'prod', 'podinfo');
    expect(released.out).toMatch(
      /^released podinfo in prod \(held by bob since \S+: incident 4712\): commit [0-9a-f]{12} on main/,
    );
    expect(await commits()).toBe(count + 1);
    expect(await remote.readFile('main', HOLDS_FILE)).toBeUndefined();
    expect((await cli('alice', 'release', 'prod', 'podinfo')).out).toBe(
      'podinfo in prod is not held; nothing to commit\n',
    );
    expect(await commits()).toBe(count + 1);
  });

  it('shows a hand-edited reason as one escaped line', async () => {
    const hostile = 'oops\n\x1b[31mred';
    await cli('alice', 'hold', 'prod', 'api', '--reason', hostile);
    const again = await cli('bob', 'hold', 'prod', 'api', '--reason', hostile);
    expect(again.out).toMatch(
      /^api in prod is already held by alice since \S+: oops\\n\\x1b\[31mred; nothing/,
    );
    expect(again.out.split('\n')).toHaveLength(2);
  });
});
