import { Agent } from 'node:http';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { startEmulator } from '../../src/testing/emulator/index.js';
const emu = await startEmulator();
emu.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 1000, prefix: 'p/r-' });
const c = new ECRClient({ region: 'eu-west-1', endpoint: emu.endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  requestHandler: { httpAgent: new Agent({ keepAlive: true, noDelay: true }) } });
for (const size of [1, 10, 100, 300, 1000]) {
  let best = 1e9; let sum = 0;
  for (let round = 0; round < 10; round++) {
    const t = performance.now();
    await c.send(new DescribeImagesCommand({ repositoryName: 'p/r-0', maxResults: size }));
    best = Math.min(best, performance.now() - t); sum += performance.now() - t;
  }
  console.log(size, 'best ms', best.toFixed(1), 'avg', (sum / 10).toFixed(1));
}
await emu.close();
