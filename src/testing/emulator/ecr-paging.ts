/**
 * Paging as ECR does it: `maxResults` validated against the operation's bounds, and an
 * opaque `nextToken` bound to the operation, repository and filter that issued it.
 */
import { AwsError } from './server.js';

interface Cursor {
  readonly op: string;
  readonly scope: string;
  readonly position: number;
}

export function maxResults(input: Record<string, unknown>, fallback: number, max: number): number {
  const value = input['maxResults'];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and ${max}'`,
    );
  return value;
}

export function encodeToken(op: string, scope: string, position: number): string {
  const cursor: Cursor = { op, scope, position };
  return `drawbridge-emu.${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`;
}

/** Position encoded in `token`, or 0 without one; a foreign or mangled token is refused. */
export function decodeToken(token: unknown, op: string, scope: string): number {
  if (token === undefined || token === null) return 0;
  const invalid = new AwsError(
    'InvalidParameterException',
    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
  );
  if (typeof token !== 'string' || !token.startsWith('drawbridge-emu.')) throw invalid;
  let cursor: Partial<Cursor>;
  try {
    cursor = JSON.parse(
      Buffer.from(token.slice('drawbridge-emu.'.length), 'base64url').toString('utf8'),
    ) as Partial<Cursor>;
  } catch {
    throw invalid;
  }
  if (cursor.op !== op || cursor.scope !== scope || typeof cursor.position !== 'number') throw invalid;
  return cursor.position;
}

export function requireString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value === 'string' && value.length > 0) return value;
  throw new AwsError('InvalidParameterException', `Invalid parameter: '${name}' is required`);
}

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new AwsError('InvalidParameterException', `Invalid parameter: '${name}' must be a string`);
}

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
