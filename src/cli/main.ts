#!/usr/bin/env node
import nodeModule from 'node:module';

// Node keeps the compiled code of drawbridge's modules and its dependencies between runs (in
// the system's temp folder, NODE_COMPILE_CACHE to move it): every command starts sooner. It
// only ever speeds things up; where the folder cannot be written, or on a Node without it
// (before 22.1), nothing changes.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { processIO } = await import('./io.js');
const { runCli } = await import('./program.js');

const code = await runCli(process.argv.slice(2), processIO());
process.exitCode = code;
