/**
 * A link drawbridge shows or records (a pull request's, a status's target): http(s), no
 * credentials in it, printable ASCII only, at most URL_MAX characters.
 */
const URL_MAX = 2_048;

export function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > URL_MAX || !isPrintableAscii(value)) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
    );
  } catch {
    return false;
  }
}

function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}
