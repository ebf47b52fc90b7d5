/**
 * Request parameters as GitLab's API (Grape) reads them: from the query string and from a
 * JSON or form body, the body winning. Query values are strings (`squash=true`,
 * `labels=a,b`, `reviewer_ids[]=3`), JSON values keep their types; the readers coerce both
 * the way GitLab does and answer 400 `{"error": "<name> is invalid"}` for what they cannot.
 */
import { invalidParameters } from './answers.js';

export class Params {
  private constructor(private readonly values: ReadonlyMap<string, unknown>) {}

  static from(query: URLSearchParams, body: Readonly<Record<string, unknown>>): Params {
    const values = new Map<string, unknown>();
    for (const key of new Set(query.keys())) {
      if (key.endsWith('[]')) values.set(key.slice(0, -2), query.getAll(key));
      else values.set(key, query.get(key));
    }
    for (const [key, value] of Object.entries(body)) values.set(key, value);
    return new Params(values);
  }

  has(name: string): boolean {
    return this.values.get(name) !== undefined && this.values.get(name) !== null;
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw invalidParameters(`${name} is invalid`);
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw invalidParameters(`${name} is missing`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 'true' || value === '1' || value === 1) return true;
    if (value === false || value === 'false' || value === '0' || value === 0) return false;
    throw invalidParameters(`${name} is invalid`);
  }

  integer(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null || value === '') return undefined;
    const number = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(number)) throw invalidParameters(`${name} is invalid`);
    return number;
  }

  /** An array, or a comma-separated string (`labels=a,b`). */
  list(name: string): string[] | undefined {
    const value = this.values.get(name);
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
    if (items === undefined || items.some((item) => typeof item !== 'string' && typeof item !== 'number'))
      throw invalidParameters(`${name} is invalid`);
    return items.map((item) => String(item).trim()).filter((item) => item !== '');
  }

  integers(name: string): number[] | undefined {
    const items = this.list(name);
    if (items === undefined) return undefined;
    const numbers = items.map(Number);
    if (numbers.some((n) => !Number.isSafeInteger(n))) throw invalidParameters(`${name} is invalid`);
    return numbers;
  }
}
