import { readFileSync } from 'node:fs';
import { parseConfig } from './src/config/load.ts';
import { formatError } from './src/errors.ts';
const file = process.argv[2]!;
try { const r = parseConfig(readFileSync(file, 'utf8'), file); console.log(JSON.stringify(r, null, 1)); } catch (e) { console.log(formatError(e)); }
