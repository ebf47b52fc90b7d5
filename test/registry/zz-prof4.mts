import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { startEmulator } from '../../src/testing/emulator/index.js';
import { clientFor } from './helpers.js';
const emu = await startEmulator();
emu.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 1000, prefix: 'p/r-' });
const c = clientFor(emu);
for (const size of [1, 10, 100, 300, 1000]) {
  let best = 1e9;
  for (let round = 0; round < 10; round++) {
    const t = performance.now();
    await c.send(new DescribeImagesCommand({ repositoryName: 'p/r-0', maxResults: size }));
    best = Math.min(best, performance.now() - t);
  }
  console.log(size, 'best ms', best.toFixed(1));
}
await emu.close();
