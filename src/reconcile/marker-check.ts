/**
 * `drawbridge validate`'s second step: every environment's branch is checked out (once per
 * repository and branch, however many environments share it: an Argo CD fleet is often
 * hundreds of Applications on one branch) and its markers read. Problems the reconciliation would only warn about (a marker naming an image
 * that is not in the config, a malformed marker, an unparseable file) fail validation.
 */
import { repositoryNameOf } from '../config/repositories.js';
import type { Config } from '../config/schema.js';
import { formatError } from '../errors.js';
import type { Workspace } from '../git/workspace.js';
import type { Workspaces } from '../git/workspaces.js';
import { findMarkers } from '../manifest/index.js';
import type { FileProblem } from '../manifest/types.js';

export interface EnvironmentMarkerProblem extends FileProblem {
  readonly environment: string;
}

export interface MarkerCheckReport {
  readonly problems: readonly EnvironmentMarkerProblem[];
  readonly summary: string;
}

export async function checkEnvironmentMarkers(
  config: Config,
  workspaces: Workspaces,
): Promise<MarkerCheckReport> {
  const knownImages = new Set(Object.keys(config.images));
  const problems: EnvironmentMarkerProblem[] = [];
  let markers = 0;
  const files = new Set<string>();
  // Each repository once: opened and fetched, or the reason it could not be, for all its environments.
  const fetched = new Map<string, Promise<Workspace | string>>();
  const ready = (name: string): Promise<Workspace | string> => {
    let pending = fetched.get(name);
    if (pending === undefined) {
      pending = (async () => {
        const workspace = await workspaces.get(name);
        await workspace.fetch();
        return workspace;
      })().catch((error: unknown) => formatError(error));
      fetched.set(name, pending);
    }
    return pending;
  };
  const checkouts = new Map<string, ReturnType<Workspace['checkout']>>();
  for (const [environment, settings] of Object.entries(config.environments)) {
    const repository = repositoryNameOf(settings);
    const workspace = await ready(repository);
    if (typeof workspace === 'string') {
      problems.push({
        environment,
        file: workspaces.remote(repository),
        severity: 'error',
        message: `repository ${repository} cannot be fetched: ${workspace}`,
      });
      continue;
    }
    const branchKey = `${repository}\u0000${settings.branch}`;
    let checkingOut = checkouts.get(branchKey);
    if (checkingOut === undefined) {
      checkingOut = workspace.checkout(settings.branch, environment);
      checkouts.set(branchKey, checkingOut);
    }
    const checkout = await checkingOut;
    if (checkout.head === undefined) {
      problems.push({
        environment,
        file: settings.branch,
        severity: 'error',
        message: `branch ${settings.branch} does not exist on the remote; create it or fix environments.${environment}.branch`,
      });
      continue;
    }
    const found = await findMarkers({
      root: checkout.dir,
      ...(settings.paths === undefined ? {} : { paths: settings.paths }),
      knownImages,
    });
    markers += found.markers.length;
    for (const marker of found.markers) {
      files.add(`${repository}:${settings.branch}:${marker.file}`);
      if (!(marker.imageKey in settings.policies)) {
        problems.push({
          environment,
          file: marker.file,
          line: marker.line,
          column: marker.column,
          severity: 'warning',
          message: `marker for image "${marker.imageKey}", which has no policy in environment ${environment}: it is left as it is`,
        });
      }
    }
    for (const problem of found.problems) {
      problems.push({
        ...problem,
        environment,
        severity: failsValidation(problem) ? 'error' : problem.severity,
      });
    }
    if (found.markers.length === 0) {
      problems.push({
        environment,
        file: (settings.paths ?? ['.']).join(', '),
        severity: 'warning',
        message: `no $imagepolicy markers on branch ${settings.branch}: nothing will be updated in ${environment}`,
      });
    }
  }
  const environments = Object.keys(config.environments).length;
  return {
    problems,
    summary: `${markers} marker${markers === 1 ? '' : 's'} in ${files.size} file${files.size === 1 ? '' : 's'} across ${environments} environment${environments === 1 ? '' : 's'}`,
  };
}

/** Marker problems the daemon tolerates but validation must not. */
function failsValidation(problem: FileProblem): boolean {
  return problem.code === 'unknown-image' || problem.code === 'bad-marker' || problem.code === 'unparseable';
}
