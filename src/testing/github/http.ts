/**
 * HTTP plumbing of the GitHub emulator: GitHub-shaped error answers, JSON bodies in and out,
 * and the documentation links GitHub puts in its errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DOCS = 'https://docs.github.com/rest';

/** Bodies larger than this are refused (GitHub's own limit on a JSON body is far below). */
const BODY_MAX_BYTES = 8 * 1024 * 1024;

/**
 * A REST failure as GitHub answers it: `{"message", "errors"?, "documentation_url", "status"}`
 * with the status code and any extra headers (retry-after, x-accepted-github-permissions …).
 */
export class GitHubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      readonly errors?: readonly Readonly<Record<string, string>>[];
      readonly headers?: Readonly<Record<string, string>>;
      readonly documentationUrl?: string;
    } = {},
  ) {
    super(message);
    this.name = 'GitHubHttpError';
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
      documentation_url: this.extra.documentationUrl ?? DOCS,
      status: String(this.status),
    };
  }
}

/** 422 Validation Failed with one error entry, as GitHub answers a refused create or update. */
export function validationFailed(entry: Readonly<Record<string, string>>, documentationUrl?: string) {
  return new GitHubHttpError(422, 'Validation Failed', {
    errors: [entry],
    ...(documentationUrl ? { documentationUrl } : {}),
  });
}

export function notFound(): GitHubHttpError {
  return new GitHubHttpError(404, 'Not Found');
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > BODY_MAX_BYTES) throw new GitHubHttpError(413, 'Payload too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as a JSON object; `{}` when empty; 400 "Problems parsing JSON" otherwise. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GitHubHttpError(400, 'Problems parsing JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new GitHubHttpError(400, 'Problems parsing JSON');
  return value as Record<string, unknown>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    ...(body === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
