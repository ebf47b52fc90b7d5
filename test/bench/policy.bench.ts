/**
 * Policy selection over 100,000 tags (ECR's per-repository image quota) next to
 * `semver.maxSatisfying` on the same tags in the same run. Goal: ours ≤ 0.4× of it.
 * `node --import tsx test/bench/policy.bench.ts`; BENCH_QUICK=1 for a 2,000-tag smoke run.
 */
import semver from 'semver';
import { policySchema } from '../../src/config/schema.js';
import { selectTag } from '../../src/policy/index.js';
import type { ImageCandidate } from '../../src/registry.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZE = QUICK ? 2_000 : 100_000;
const RUNS = QUICK ? 3 : 11;
// Reading every rejection of 100,000 tags is slow by design (it is lazy); measure it less often.
const FULL_RUNS = QUICK ? 1 : 3;
const NOW = new Date('2026-11-25T12:00:00Z');
const GOAL = 0.4;

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same tags. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hex(next: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(next() * 16).toString(16);
  return out;
}

/** A realistic mix: releases (some with v), prereleases, branch builds, cosign signatures. */
function mixedTags(count: number, next: () => number): string[] {
  const tags = new Set<string>();
  while (tags.size < count) {
    const roll = next();
    const version = `${Math.floor(next() * 12)}.${Math.floor(next() * 40)}.${Math.floor(next() * 300)}`;
    if (roll < 0.6) tags.add(version);
    else if (roll < 0.7) tags.add(`v${version}`);
    else if (roll < 0.85) tags.add(`${version}-rc.${Math.floor(next() * 20)}`);
    else if (roll < 0.95) tags.add(`main-${hex(next, 7)}`);
    else tags.add(`sha256-${hex(next, 64)}.sig`);
  }
  return [...tags];
}

/** Only valid releases: the best case for maxSatisfying (no exceptions from invalid versions). */
function releaseTags(count: number, next: () => number): string[] {
  const tags = new Set<string>();
  while (tags.size < count) {
    tags.add(`${Math.floor(next() * 12)}.${Math.floor(next() * 90)}.${Math.floor(next() * 400)}`);
  }
  return [...tags];
}

function candidatesOf(tags: readonly string[], next: () => number): ImageCandidate[] {
  return tags.map((tag) => ({
    tag,
    digest: `sha256:${hex(next, 64)}`,
    pushedAt: new Date(NOW.getTime() - Math.floor(next() * 90 * 86_400_000)),
  }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function time(action: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Row {
  readonly scenario: string;
  readonly what: string;
  readonly ms: number;
  readonly baseline?: number;
}

async function scenario(name: string, tags: readonly string[], range: string, rows: Row[]): Promise<boolean> {
  const next = random(7);
  const candidates = candidatesOf(tags, next);
  const context = { now: NOW };
  const plain = policySchema.parse({ semver: range });
  const modified = policySchema.parse({ semver: range, minAge: '24h', exclude: ['^main-'] });
  const select = (policy = plain) => selectTag({ imageKey: 'bench', policy, candidates, context });

  const expected = semver.maxSatisfying([...tags], range);
  const ours = await select();
  if (ours.chosen?.tag !== expected && semver.neq(ours.chosen?.tag ?? '0.0.0', expected ?? '0.0.0')) {
    throw new Error(`${name}: we chose ${ours.chosen?.tag}, maxSatisfying ${expected}`);
  }

  const timings = {
    theirs: [] as number[],
    ours: [] as number[],
    modified: [] as number[],
    full: [] as number[],
  };
  for (let run = 0; run < RUNS + 2; run += 1) {
    // Interleaved so drift on a shared machine hits both sides alike; the first two are warm-up.
    const theirs = await time(() => semver.maxSatisfying(tags, range));
    const mine = await time(() => select());
    const withModifiers = await time(() => select(modified));
    if (run < 2) continue;
    timings.theirs.push(theirs);
    timings.ours.push(mine);
    timings.modified.push(withModifiers);
    if (run - 2 >= FULL_RUNS) continue;
    const full = await time(async () => {
      const decision = await select();
      return decision.rejected.length + decision.ranked.length;
    });
    timings.full.push(full);
  }
  const baseline = median(timings.theirs);
  rows.push({ scenario: name, what: '`semver.maxSatisfying`', ms: baseline });
  rows.push({ scenario: name, what: `\`selectTag\` semver ${range}`, ms: median(timings.ours), baseline });
  rows.push({ scenario: name, what: '… + minAge 24h, exclude', ms: median(timings.modified), baseline });
  rows.push({ scenario: name, what: '… + reading ranked and rejected', ms: median(timings.full), baseline });
  return median(timings.ours) <= GOAL * baseline;
}

const rows: Row[] = [];
const mixedOk = await scenario('mixed', mixedTags(SIZE, random(1)), '^6.0.0', rows);
const releasesOk = await scenario('releases', releaseTags(SIZE, random(2)), '>=3.0.0 <9.0.0', rows);

process.stdout.write(
  `${SIZE.toLocaleString('en')} tags, median of ${RUNS} runs (${FULL_RUNS} for reading every rejection) (Node ${process.version})\n\n`,
);
process.stdout.write('| tags | selection | median ms | × maxSatisfying |\n|---|---|---:|---:|\n');
for (const row of rows) {
  const ratio = row.baseline === undefined ? '1.00' : (row.ms / row.baseline).toFixed(2);
  process.stdout.write(`| ${row.scenario} | ${row.what} | ${row.ms.toFixed(1)} | ${ratio} |\n`);
}
const met = mixedOk && releasesOk;
process.stdout.write(`\nGoal (selectTag ≤ ${GOAL}× maxSatisfying): ${met ? 'met' : 'NOT met'}\n`);
if (!met && !QUICK) process.exitCode = 1;
