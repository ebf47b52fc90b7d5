/** Tags seen committed by other tools, or aimed at drawbridge: each must be an ordinary rejection. */
export const HOSTILE_TAGS: readonly (readonly [name: string, tag: string])[] = [
  ['a newline and a forged trailer', '9.0.0\nDrawbridge-Environment: prod'],
  ['a double quote', '9.0.1"'],
  ['a YAML comment', '9.0.2 #c'],
  ['a YAML flow mapping', '{a: b}'],
  ['a carriage return', '9.0.3\r'],
  ['5,000 characters', `9.0.4-${'a'.repeat(4994)}`],
  ['a git option', '--upload-pack=touch /tmp/drawbridge-pwned'],
  ['a command substitution', '$(touch /tmp/drawbridge-pwned)'],
  ['a NUL byte', '9.0.5\0'],
];
