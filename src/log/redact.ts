/**
 * Secrets registered here are replaced by `***` wherever they would be printed: log lines,
 * error messages, git stderr. Tokens inside URLs (`https://user:token@host`) are scrubbed
 * even when nobody registered them.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text.replace(
      /(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi,
      (_m, scheme: string, user: string, pass?: string) => (pass ? `${scheme}${user}:***@` : `${scheme}***@`),
    );
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  /** Deep-redacts strings inside plain objects and arrays. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value instanceof Error) return this.redact(value.message);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)]));
    }
    return value;
  }
}
