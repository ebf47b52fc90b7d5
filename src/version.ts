/** drawbridge's own version, from package.json (one folder up from both src/ and dist/). */
import { readFileSync } from 'node:fs';

export function drawbridgeVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
