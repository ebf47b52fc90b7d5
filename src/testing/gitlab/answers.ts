/**
 * What the GitLab emulator sends back: an HTTP status, a body and headers. Handlers return an
 * Answer or throw a GitLabApiError, whose body has GitLab's own error shapes:
 * `{"message": "404 Project Not Found"}` from the API, `{"error": "title is missing"}` from
 * parameter validation, plain text from the rate limiter.
 */
export interface Answer {
  readonly status: number;
  /** JSON-serialised unless `contentType` says text. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `application/json`. */
  readonly contentType?: string;
}

export class GitLabApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly contentType = 'application/json',
  ) {
    super(`GitLab emulator answers ${status}`);
    this.name = 'GitLabApiError';
  }

  answer(): Answer {
    return { status: this.status, body: this.body, headers: this.headers, contentType: this.contentType };
  }
}

export function ok(body: unknown, headers: Readonly<Record<string, string>> = {}): Answer {
  return { status: 200, body, headers };
}

export function created(body: unknown): Answer {
  return { status: 201, body };
}

/** `{"message": "404 <what>"}`, GitLab's answer for a missing project, merge request or commit. */
export function notFound(what = 'Not found'): GitLabApiError {
  return new GitLabApiError(404, { message: `404 ${what}` });
}

/** A parameter problem as Grape reports it: `{"error": "title is missing"}`. */
export function invalidParameters(problem: string): GitLabApiError {
  return new GitLabApiError(400, { error: problem });
}

/** A model validation failure: `{"message": {"source_branch": ["does not exist"]}}`. */
export function unprocessable(message: unknown, status = 400): GitLabApiError {
  return new GitLabApiError(status, { message });
}

export function methodNotAllowed(): GitLabApiError {
  return new GitLabApiError(405, { message: '405 Method Not Allowed' });
}

export function conflict(message: unknown): GitLabApiError {
  return new GitLabApiError(409, { message });
}
