import { describe, expect, it } from 'vitest';
import { ImageDetailsWriter } from '../../src/testing/emulator/ecr-json.js';
import { imageDetail } from '../../src/testing/emulator/ecr-operations.js';
import { EcrStore } from '../../src/testing/emulator/ecr.js';

const store = () =>
  new EcrStore({ accountId: '123456789012', region: 'eu-west-1', now: () => new Date(1_764_000_000_123) });

/** What the writer sends next to what JSON.stringify makes of the object form. */
function both(ecr: EcrStore, name: string, nextToken?: string): { written: string; expected: string } {
  const repository = ecr.repository(name);
  const items = repository.page('ANY', 0, 1000).items;
  const writer = new ImageDetailsWriter(ecr.accountId, name);
  for (const record of items) writer.add(record);
  const chunks = writer.finish(nextToken).chunks;
  const expected = JSON.stringify({
    imageDetails: items.map((record) => imageDetail(ecr, repository, record)),
    ...(nextToken === undefined ? {} : { nextToken }),
  });
  return { written: Buffer.concat(chunks).toString('utf8'), expected };
}

describe('DescribeImages pages written as text', () => {
  it('match JSON.stringify byte for byte, escaping and optional fields included', () => {
    const ecr = store();
    ecr.createRepository('json/mixed');
    const repository = 'json/mixed';
    const plain = ecr.pushImage({ repository, tags: ['1.0.0'], pushedAt: new Date(1_700_000_000_456) });
    ecr.pushImage({ repository, tags: [] });
    ecr.pushImage({ repository, tags: ['a', 'b', 'c_d'], scan: { counts: { HIGH: 2, LOW: 1 } } });
    ecr.pushImage({ repository, tags: ['s'], scan: { status: 'IN_PROGRESS', summary: false } });
    ecr.pushImage({ repository, tags: ['odd'], mediaType: 'x/"quoted"\\slash\u00e9\u2028' });
    ecr.pushIndex({ repository, tags: ['multi'] });
    ecr.pushReferrer({ repository, subject: plain.digest, kind: 'oci-referrer' });
    ecr.pushReferrer({ repository, subject: plain.digest, kind: 'cosign-signature' });
    const { written, expected } = both(ecr, repository, 'drawbridge-emu.token');
    expect(written).toBe(expected);
    expect(JSON.parse(written)).toHaveProperty('imageDetails.length', 10);
  });

  it('match for an empty page and for a bulk page cut into several chunks', () => {
    const ecr = store();
    ecr.createRepository('json/empty');
    expect(both(ecr, 'json/empty').written).toBe('{"imageDetails":[]}');
    ecr.bulkCreate({ repositories: 1, imagesPerRepository: 400, prefix: 'json/bulk-', scan: {} });
    const writer = new ImageDetailsWriter(ecr.accountId, 'json/bulk-0');
    for (const record of ecr.repository('json/bulk-0').page('TAGGED', 0, 400).items) writer.add(record);
    expect(writer.finish(undefined).chunks.length).toBeGreaterThan(2);
    const { written, expected } = both(ecr, 'json/bulk-0');
    expect(written).toBe(expected);
  });
});
