/**
 * A manifest worker thread (see workers.ts): scans or applies one batch of files per message
 * with the same code the main thread uses, and posts the outcomes back in order.
 */
import { parentPort } from 'node:worker_threads';
import { applyToFile } from './apply-plan.js';
import type { ManifestFile } from './list-files.js';
import { scanFile } from './scan.js';
import type { DesiredImage, PlannedEdit } from './types.js';
import { messageOf } from '../errors.js';

export type WorkerRequest =
  | {
      readonly id: number;
      readonly kind: 'scan';
      readonly files: readonly ManifestFile[];
      readonly desired: readonly (readonly [string, DesiredImage])[];
      readonly knownImages: readonly string[];
      readonly maxBytes: number;
    }
  | {
      readonly id: number;
      readonly kind: 'apply';
      readonly root: string;
      readonly items: readonly {
        readonly file: string;
        readonly edits: readonly PlannedEdit[];
        readonly fingerprint?: string | undefined;
      }[];
    };

export type WorkerReply =
  { readonly id: number; readonly results: unknown[] } | { readonly id: number; readonly error: string };

function handle(request: WorkerRequest): WorkerReply {
  try {
    if (request.kind === 'scan') {
      const desired = new Map(request.desired);
      const knownImages = new Set(request.knownImages);
      return {
        id: request.id,
        results: request.files.map((file) => scanFile(file, request.maxBytes, desired, knownImages)),
      };
    }
    return {
      id: request.id,
      results: request.items.map((item) =>
        applyToFile(request.root, item.file, item.edits, item.fingerprint),
      ),
    };
  } catch (error) {
    return { id: request.id, error: messageOf(error) };
  }
}

parentPort?.on('message', (request: WorkerRequest) => {
  parentPort?.postMessage(handle(request));
});
