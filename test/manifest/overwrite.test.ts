import { ftruncateSync, writeSync } from 'node:fs';
import { link, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DamagedFileError, overwriteFile } from '../../src/manifest/overwrite.js';
import type { FileWrites } from '../../src/manifest/overwrite.js';

describe('overwriteFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-overwrite-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes shorter and longer contents over the same file, keeping inode, mode and links', async () => {
    const path = join(dir, 'a.yaml');
    const old = Buffer.from('image: r/app:1.0.0\nreplicas: 2\n');
    await writeFile(path, old, { mode: 0o640 });
    await link(path, join(dir, 'linked.yaml'));
    const before = await stat(path);
    const shorter = Buffer.from('image: r/app:2\nreplicas: 2\n');
    overwriteFile(path, shorter, old);
    expect(await readFile(path)).toEqual(shorter);
    const longer = Buffer.from('image: r/app:10.20.30-rc.1\nreplicas: 2\n');
    overwriteFile(path, longer, shorter);
    const after = await stat(path);
    expect(await readFile(path)).toEqual(longer);
    expect(await readFile(join(dir, 'linked.yaml'))).toEqual(longer);
    expect([after.ino, after.mode & 0o7777]).toEqual([before.ino, 0o640]);
  });

  it('puts the old bytes back when a write fails, then reports the failure', async () => {
    const path = join(dir, 'a.yaml');
    const old = Buffer.from('image: r/app:1.0.0\nreplicas: 2\n');
    await writeFile(path, old);
    let calls = 0;
    const failOnce: FileWrites = {
      // The first write gets half its bytes out, then the disk is full; the restore goes through.
      writeSync: (fd, bytes, offset, length, position) => {
        calls += 1;
        if (calls === 2)
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return writeSync(fd, bytes, offset, calls === 1 ? Math.ceil(length / 2) : length, position);
      },
      ftruncateSync,
    };
    expect(() =>
      overwriteFile(path, Buffer.from('image: r/app:2.0.0-longer\nreplicas: 2\n'), old, failOnce),
    ).toThrow(/ENOSPC/);
    expect(await readFile(path)).toEqual(old);
  });

  it('says the file is damaged when the old bytes cannot be put back either', () => {
    // /dev/full takes every write with ENOSPC.
    expect(() => overwriteFile('/dev/full', Buffer.from('new'), Buffer.from('old'))).toThrow(
      DamagedFileError,
    );
  });
});
