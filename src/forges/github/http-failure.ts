/**
 * What a failed Octokit call says, read without trusting its shape: the status, whether
 * anything answered at all, GitHub's message (with its validation errors), the headers that
 * matter, and whether it was a rate limit (secondary: the message or `retry-after`; primary:
 * `x-ratelimit-remaining: 0`).
 */

export interface HttpFailure {
  /** False when no answer came back (network failure, timeout): Octokit then says 500. */
  readonly answered: boolean;
  readonly status: number;
  /** GitHub's `message`, its validation errors' messages after it. Outside text: escape before printing. */
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rateLimited: 'primary' | 'secondary' | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly resetAt: Date | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function headersOf(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(record(value) ?? {}))
    if (typeof entry === 'string' || typeof entry === 'number') headers[name.toLowerCase()] = String(entry);
  return headers;
}

function validationErrors(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry === 'string') return [entry];
    const fields = record(entry);
    if (fields === undefined) return [];
    if (typeof fields['message'] === 'string') return [fields['message']];
    const described = [fields['field'], fields['code']].filter((part) => typeof part === 'string');
    return described.length > 0 ? [described.join(' ')] : [];
  });
}

/** GitHub's JSON `message`, a short text answer as it is; an HTML error page says nothing. */
function messageOfAnswer(data: unknown, fallback: string): string {
  const body = record(data);
  const base =
    typeof body?.['message'] === 'string'
      ? body['message']
      : typeof data === 'string' && data.trim() !== '' && !data.trimStart().startsWith('<')
        ? data.trim().slice(0, 300)
        : fallback;
  const errors = validationErrors(body?.['errors']);
  return errors.length > 0 ? `${base}: ${errors.join('; ')}` : base;
}

/** The failure of an Octokit REST call (its RequestError), or undefined for anything else. */
export function httpFailureOf(error: unknown): HttpFailure | undefined {
  if (!(error instanceof Error) || error.name !== 'HttpError') return undefined;
  const { status, response } = error as Error & { status?: unknown; response?: unknown };
  if (typeof status !== 'number') return undefined;
  const answer = record(response);
  const headers = headersOf(answer?.['headers']);
  const message = answer === undefined ? error.message : messageOfAnswer(answer['data'], `HTTP ${status}`);
  const retryAfter = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  const limitStatus = status === 403 || status === 429;
  const rateLimited = !limitStatus
    ? undefined
    : /secondary rate limit/i.test(message) || headers['retry-after'] !== undefined
      ? 'secondary'
      : headers['x-ratelimit-remaining'] === '0'
        ? 'primary'
        : status === 429
          ? 'secondary'
          : undefined;
  return {
    answered: answer !== undefined,
    status,
    message,
    headers,
    rateLimited,
    retryAfterSeconds:
      Number.isFinite(retryAfter) && headers['retry-after'] !== undefined ? retryAfter : undefined,
    resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined,
  };
}
