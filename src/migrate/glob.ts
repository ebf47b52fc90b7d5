/**
 * Go's `path/filepath.Match` patterns (Argo CD Image Updater's `ignore-tags`) as anchored
 * regular expressions: `*` any run of characters but `/`, `?` one such character, `[…]` a class
 * (`[^…]` negated, `a-z` ranges), `\` escapes the next character. Undefined for a malformed
 * pattern (an unclosed class, a trailing `\`), which Go's Match refuses too.
 */
const META = /[.*+?^${}()|[\]\\/]/g;

export function globToRegex(glob: string): string | undefined {
  let out = '^';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i]!;
    if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '\\') {
      const next = glob[i + 1];
      if (next === undefined) return undefined;
      out += next.replace(META, '\\$&');
      i += 1;
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) return undefined;
      let body = glob.slice(i + 1, close);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      if (body === '') return undefined;
      out += `[${negated ? '^' : ''}${body.replace(/[\]\\[^]/g, '\\$&')}]`;
      i = close;
    } else out += char.replace(META, '\\$&');
  }
  return `${out}$`;
}
