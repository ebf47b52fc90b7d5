/**
 * Manifests the ECR emulator stores. A digest is always the sha256 of the exact manifest
 * bytes, as in a real registry; the builders only make unique, well-formed documents.
 */
import { hash } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const COSIGN_SIGNATURE_LAYER = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

export function sha256Digest(text: string): string {
  return `sha256:${hash('sha256', text, 'hex')}`;
}

/** A stand-in blob digest derived from a seed (the emulator stores no blobs). */
function blobDigest(seed: string): string {
  return sha256Digest(`blob:${seed}`);
}

export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export function imageManifest(seed: string, layerSize = 1024): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: blobDigest(`${seed}:config`), size: 512 },
    layers: [{ mediaType: OCI_LAYER, digest: blobDigest(`${seed}:layer`), size: layerSize }],
  });
}

export function indexManifest(
  entries: readonly { readonly digest: string; readonly size: number; readonly platform: PlatformSpec }[],
): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries.map((entry) => ({
      mediaType: OCI_MANIFEST,
      digest: entry.digest,
      size: entry.size,
      platform: entry.platform,
    })),
  });
}

/** What cosign 2.x pushes as `sha256-<hex>.sig`: a manifest whose layer is the signed payload. */
export function cosignSignatureManifest(subject: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: blobDigest(`${subject}:sig-config`), size: 233 },
    layers: [
      {
        mediaType: COSIGN_SIGNATURE_LAYER,
        digest: blobDigest(`${subject}:sig`),
        size: 256,
        annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
      },
    ],
  });
}

/** An OCI 1.1 referrer (signature, SBOM, attestation): `subject` points at the image. */
export function referrerManifest(subject: string, subjectSize: number, artifactType: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: EMPTY_CONFIG, digest: blobDigest('{}'), size: 2 },
    layers: [{ mediaType: artifactType, digest: blobDigest(`${subject}:${artifactType}`), size: 1024 }],
    subject: { mediaType: OCI_MANIFEST, digest: subject, size: subjectSize },
  });
}

export interface ManifestFacts {
  readonly mediaType?: string;
  readonly artifactMediaType?: string;
  readonly subjectDigest?: string;
  /** Sum of config and layer sizes (ECR's imageSizeInBytes), when the manifest lists them. */
  readonly sizeBytes?: number;
}

/** Reads what ECR derives from a manifest: media types, subject and size. */
export function manifestFacts(manifest: string): ManifestFacts | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const doc = parsed as Record<string, unknown>;
  const config = record(doc['config']);
  const subject = record(doc['subject']);
  const layers = Array.isArray(doc['layers']) ? doc['layers'].map(record) : [];
  const sizes = [config, ...layers].map((part) => (typeof part?.['size'] === 'number' ? part['size'] : 0));
  // ECR reports the artifactType, else the config's media type (also for ordinary images).
  const artifactType = text(doc['artifactType']) ?? (config ? text(config['mediaType']) : undefined);
  const facts: {
    mediaType?: string;
    artifactMediaType?: string;
    subjectDigest?: string;
    sizeBytes?: number;
  } = {};
  const mediaType = text(doc['mediaType']);
  if (mediaType) facts.mediaType = mediaType;
  if (artifactType) facts.artifactMediaType = artifactType;
  const subjectDigest = subject ? text(subject['digest']) : undefined;
  if (subjectDigest) facts.subjectDigest = subjectDigest;
  if (config || layers.length > 0) facts.sizeBytes = sizes.reduce((sum, size) => sum + size, 0);
  return facts;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
