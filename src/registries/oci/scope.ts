/** The image a registry request concerns, its pull scope, and what status codes mean for it. */
import { RegistryError } from '../../errors.js';

/** The image a request concerns: its key, the reference as configured, and where it lives. */
export interface ImageScope {
  readonly imageKey: string;
  /** As the config names it. */
  readonly repository: string;
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly host: string;
  /** `library/nginx`. */
  readonly path: string;
  /** Where the host's API answers: `registry-1.docker.io` for `docker.io`, else the host. */
  readonly apiHost: string;
}

export function statusError(status: number, scope: ImageScope, what: string): RegistryError {
  const context = { image: scope.imageKey, repository: scope.repository };
  const where = `${scope.host}/${scope.path}`;
  if (status === 404)
    return new RegistryError(`${where} not found (${what})`, {
      code: 'NotFound',
      retryable: false,
      hint: `check images.${scope.imageKey}.repository; a private repository answers 404 to anonymous requests on some registries: give credentials under registries.${scope.host}`,
      context,
    });
  if (status === 403)
    return new RegistryError(`${scope.host} denied pull access to ${scope.path} (${what})`, {
      code: 'Denied',
      retryable: false,
      hint: `the credentials for ${scope.host} lack pull scope on ${scope.path}: grant read access (a GHCR token needs read:packages)`,
      context,
    });
  return new RegistryError(`${where} answered ${status} (${what})`, {
    code: `Http${status}`,
    retryable: status === 429 || status >= 500,
    context,
  });
}

/** The token scope for reading the image: `repository:<path>:pull`. */
export function pullScope(scope: ImageScope): string {
  return `repository:${scope.path}:pull`;
}
