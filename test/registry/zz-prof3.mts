import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { startEmulator } from '../../src/testing/emulator/index.js';
import { clientFor } from './helpers.js';
const emu = await startEmulator();
emu.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 1000, prefix: 'p/r-' });
const c = clientFor(emu);
for (let round = 0; round < 30; round++) {
  const t = performance.now();
  await c.send(new DescribeImagesCommand({ repositoryName: 'p/r-0', maxResults: 1000, filter: { tagStatus: 'TAGGED' } }));
  if (round % 5 === 4) console.log('ms/page', performance.now() - t);
}
await emu.close();
