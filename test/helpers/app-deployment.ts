/**
 * The small app the pull-request end-to-end tests deploy: one Deployment whose containers run
 * the given images, each marked, and ECR pushes old enough for any minAge.
 */
import type { Emulator } from '../../src/testing/emulator/index.js';

const HOUR = 3_600_000;

/** `images`: image key → tag; `uri`: image key → ECR repository URI. */
export function appDeployment(uri: Readonly<Record<string, string>>, images: Record<string, string>): string {
  const containers = Object.entries(images)
    .map(
      ([key, tag]) =>
        `        - name: ${key}\n          image: ${uri[key]}:${tag} # {"$imagepolicy": "flux-system:${key}"}\n`,
    )
    .join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
}

/** Pushes `repository:tag` to the emulator, two hours ago. */
export function pushAged(ecr: Emulator, repository: string, tag: string): void {
  ecr.ecr.pushImage({ repository, tags: [tag], pushedAt: new Date(Date.now() - 2 * HOUR) });
}
