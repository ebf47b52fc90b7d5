/**
 * A hostile or broken registry at fleet size: 200 repositories whose tag lists carry, beside
 * their 20 real tags, tags with newlines and forged trailers, terminal escapes, 500 characters
 * and path tricks; and a tampered manifest. None becomes a candidate, each is counted and
 * logged escaped on one line, and the tampered image fails alone with DigestMismatch.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { RegistryError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { selectTag } from '../../src/policy/index.js';
import { createOciSource, type OciSource } from '../../src/registries/oci/source.js';
import { startOciEmulator, type OciEmulator } from '../../src/testing/oci/index.js';

const IMAGES = 200;
const HOSTILE = [
  '1.0.99\nDrawbridge-Update: evil 9.9.9',
  '1.0.98\u001b[2J\u001b[31m',
  'v'.repeat(500),
  '../../etc/passwd',
  '1.0.97 ',
  '',
];

let emulator: OciEmulator;
let source: OciSource;
const logged: string[] = [];

beforeAll(async () => {
  emulator = await startOciEmulator({ pageSize: 1000 });
  const start = Date.now() - 30 * 86_400_000;
  for (let i = 0; i < IMAGES; i += 1) {
    for (let t = 0; t < 20; t += 1)
      emulator.push(`team/svc-${i}`, `1.0.${t}`, new Date(start + t * 86_400_000));
    emulator.listExtraTags(`team/svc-${i}`, HOSTILE);
  }
  // The first image read: the same manifest elsewhere (one digest) is read, and checked, there.
  emulator.tamper('team/svc-0', '1.0.19');
  const config = configSchema.parse({
    version: 1,
    git: { url: 'file:///dev/null' },
    images: Object.fromEntries(
      Array.from({ length: IMAGES }, (_, i) => [
        `svc-${i}`,
        { repository: `${emulator.host}/team/svc-${i}` },
      ]),
    ),
    registries: { [emulator.host]: { insecure: true } },
    environments: {},
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logged.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  source = createOciSource({
    config,
    logger: createLogger({ level: 'warn', destination, pretty: false }),
    env: {},
    home: '/nonexistent',
  });
});
afterAll(() => emulator?.close());

describe('a hostile registry at fleet size', () => {
  it('keeps only tags in the OCI grammar, counts the rest, and logs them escaped on one line', async () => {
    for (let i = 0; i < IMAGES; i += 1) {
      const listing = await source.list(`svc-${i}`);
      expect(listing.candidates).toHaveLength(20);
      expect(listing.skipped).toBe(HOSTILE.length);
      expect(listing.candidates.every((candidate) => /^1\.0\.\d+$/.test(candidate.tag))).toBe(true);
    }
    const warnings = logged.filter((line) => line.includes('registry answered tags that are refused'));
    expect(warnings).toHaveLength(IMAGES);
    for (const line of warnings) {
      const entry = JSON.parse(line) as { refused: string[] };
      for (const tag of entry.refused) {
        expect([...tag].some((c) => c === '\n' || c === '\r' || c === '\u001b')).toBe(false);
        expect(tag.length).toBeLessThanOrEqual(141);
      }
    }
    expect(logged.join('\n')).not.toContain('\nDrawbridge-Update');
  });

  it('fails only the image whose manifest does not match its digest', async () => {
    const chosen = new Map<string, string | undefined>();
    const failed = new Map<string, string>();
    for (let i = 0; i < IMAGES; i += 1) {
      const key = `svc-${i}`;
      const listing = await source.list(key);
      try {
        const decision = await selectTag({
          imageKey: key,
          policy: { newest: 'pushed', unscanned: 'skip', digest: false } as never,
          candidates: listing.candidates,
          context: { now: new Date() },
          resolve: (pending, needs) => source.readPending!(key, pending, needs),
        });
        chosen.set(key, decision.chosen?.tag);
      } catch (error) {
        failed.set(key, error instanceof RegistryError ? error.code : String(error));
      }
    }
    expect([...failed]).toEqual([['svc-0', 'DigestMismatch']]);
    expect(chosen.size).toBe(IMAGES - 1);
    expect([...chosen.values()].every((tag) => tag === '1.0.19')).toBe(true);
  });
});
