/**
 * The emulator for fleet.bench.ts, in its own process: the warm-runtime pass runs in the
 * benchmark's process, and an emulator beside it would take that process's time. Seeds images
 * on request over IPC and answers with their keys and URIs.
 */
import { startEmulator } from '../../src/testing/emulator/index.js';
import { seedImages } from '../helpers/big-fleet.js';

export type FleetEmulatorRequest =
  { readonly seed: { readonly count: number; readonly tags: number; readonly prefix: string } } | 'close';

const emulator = await startEmulator();
process.on('message', (message: FleetEmulatorRequest) => {
  if (message === 'close') {
    void emulator.close().then(() => process.exit(0));
    return;
  }
  const { count, tags, prefix } = message.seed;
  process.send?.({ images: seedImages(emulator.ecr, count, tags, prefix) });
});
process.send?.({ endpoint: emulator.endpoint });
