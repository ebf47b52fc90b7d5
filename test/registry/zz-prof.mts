import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { startEmulator } from '../../src/testing/emulator/index.js';
import { clientFor } from './helpers.js';
const emu = await startEmulator();
emu.ecr.bulkCreate({ repositories: 1, imagesPerRepository: 20000, prefix: 'p/r-' });
const c = clientFor(emu);
for (let round = 0; round < 3; round++) {
  let t = performance.now(); let token: string | undefined; let n = 0;
  do { const out = await c.send(new DescribeImagesCommand({ repositoryName: 'p/r-0', maxResults: 1000, nextToken: token, filter: { tagStatus: 'TAGGED' } })); token = out.nextToken; n++; } while (token);
  console.log('pages', n, 'ms/page', (performance.now() - t) / n);
}
// raw fetch for comparison
let t = performance.now();
const body = JSON.stringify({ repositoryName: 'p/r-0', maxResults: 1000 });
for (let i = 0; i < 10; i++) { const r = await fetch(emu.endpoint, { method: 'POST', headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeImages', 'content-type': 'application/x-amz-json-1.1' }, body }); JSON.parse(await r.text()); }
console.log('raw ms/page', (performance.now() - t) / 10);
await emu.close();
