/**
 * A GitHub App's JWT checked as GitHub checks it: RS256 signed with the App's private key,
 * `iss` the App's id, `iat` not in the future (a minute of skew allowed), `exp` in the future
 * and at most ten minutes after `iat`. Failures carry GitHub's own messages, which
 * @octokit/auth-app recognises to correct for clock skew.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { GitHubHttpError } from './http.js';

const SKEW_SECONDS = 60;
const LIFETIME_MAX_SECONDS = 600;

export const JWT_UNDECODABLE = 'A JSON web token could not be decoded';
const EXP_PAST =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
const IAT_INVALID =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

export interface JwtClaims {
  /** The App id, as text. */
  readonly iss: string;
  readonly iat: number;
  readonly exp: number;
}

export function publicKeyOf(pem: string): KeyObject {
  return createPublicKey(pem);
}

function undecodable(): GitHubHttpError {
  return new GitHubHttpError(401, JWT_UNDECODABLE);
}

function decodePart(part: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // falls through to the refusal below
  }
  throw undecodable();
}

/** The claims without checking the signature: only to find which App's key to check it with. */
export function unverifiedIssuer(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) throw undecodable();
  const iss = decodePart(parts[1]!)['iss'];
  if (typeof iss !== 'number' && typeof iss !== 'string') throw undecodable();
  return String(iss);
}

export function verifyAppJwt(token: string, key: KeyObject, nowSeconds: number): JwtClaims {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const head = decodePart(header);
  if (head['alg'] !== 'RS256') throw undecodable();
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) throw undecodable();
  const claims = decodePart(payload);
  const { iss, iat, exp } = claims;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > nowSeconds + SKEW_SECONDS)
    throw new GitHubHttpError(401, IAT_INVALID);
  if (typeof exp !== 'number' || exp <= nowSeconds) throw new GitHubHttpError(401, EXP_PAST);
  if (exp - iat > LIFETIME_MAX_SECONDS || exp > nowSeconds + LIFETIME_MAX_SECONDS + SKEW_SECONDS)
    throw new GitHubHttpError(401, EXP_TOO_FAR);
  return { iss: String(iss), iat, exp };
}
