/**
 * Names `drawbridge import` gives what it reads: image keys and environment names from object
 * names and aliases (outside data: anything but `[A-Za-z0-9._-]` becomes `-`), and the Git
 * repositories the environments live in (the first is `git:`, the others `repositories:`).
 */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_KEY = 63;

export function keyOf(name: string): string {
  const key = name.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, MAX_KEY);
  return KEY.test(key) ? key : `x${key}`.slice(0, MAX_KEY);
}

export interface GitUrls {
  readonly list: readonly { readonly name: string; readonly url: string }[];
  /** The `repositories:` name for `url` (undefined for the first URL, which is `git:`). */
  place(url: string, nameHint: string): string | undefined;
}

export function gitUrls(): GitUrls {
  const list: { name: string; url: string }[] = [];
  return {
    list,
    place(url, nameHint) {
      let entry = list.find((candidate) => candidate.url === url);
      if (!entry) {
        let name = keyOf(nameHint);
        while (list.some((other) => other.name === name)) name = keyOf(`${name}-${list.length}`);
        entry = { name, url };
        list.push(entry);
      }
      return entry === list[0] ? undefined : entry.name;
    },
  };
}
