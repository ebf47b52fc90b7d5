/** Where `drawbridge import … --write-markers` puts one image's markers in one environment. */
export interface MarkerRequest {
  readonly environment: string;
  readonly imageKey: string;
  /** A kustomization's `images:` entry, or a Helm values file's keys. */
  readonly target: 'kustomization' | 'helmvalues';
  /** The kustomization folder, or the values file, relative to the repository root. */
  readonly path: string;
  /** kustomization: the entry's `name`, the first of these found. */
  readonly kustomizeNames: readonly string[];
  /** helmvalues: dotted key paths; `spec` (the whole reference) wins over name and tag. */
  readonly helm: { readonly spec?: string | undefined; readonly name: string; readonly tag: string };
  /** The policy pins digests: a kustomization entry's `digest` is marked too. */
  readonly digest: boolean;
}
