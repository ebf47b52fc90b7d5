import { openWorkspace } from './src/git/workspace.js';
import { createLogger } from './src/log/logger.js';
import { isolatedGitEnv } from './test/helpers/git.js';
import { Writable } from 'node:stream';
const lines: string[] = [];
const logger = createLogger({ level: 'debug', destination: new Writable({ write(c, _e, cb) { lines.push(c.toString()); cb(); } }) });
const opts = { url: '/tmp/gb/bare.git', workdir: '/tmp/gb/wd', author: { name: 'a', email: 'a@b' }, env: isolatedGitEnv(), logger };
let ws = await openWorkspace(opts);
for (const b of ['dev', 'staging', 'main']) await ws.checkout(b, b);
await ws.close();
ws = await openWorkspace(opts);
for (let r = 0; r < 2; r++) {
lines.length = 0;
const t = performance.now();
await ws.fetch();
for (const b of ['dev', 'staging', 'main']) { const c = await ws.checkout(b, b); await ws.commit(c, 'x'); }
console.log('total', (performance.now() - t).toFixed(0));
console.log(lines.map((l) => { const j = JSON.parse(l); return `${j.command} ${j.ms}`; }).join(', '));
}
