/** The selection table: one row per behaviour, many where peers disagree (see the README). */
import type { RejectReason } from '../../src/policy/index.js';
import type { LiveSpec, TagSpec } from './fixtures.js';

export interface SelectCase {
  readonly name: string;
  readonly policy: Record<string, unknown>;
  readonly tags: readonly (TagSpec | string)[];
  readonly imageExclude?: readonly string[];
  readonly revertedTags?: readonly string[];
  /** Images (TagSpec.image) whose digest was reverted. */
  readonly revertedImages?: readonly string[];
  readonly live?: LiveSpec;
  /** undefined: nothing eligible. */
  readonly chosen: string | undefined;
  /** Expected reason per rejected tag (only the tags listed are checked). */
  readonly reasons?: Readonly<Record<string, RejectReason>>;
  /** Expected substrings of details per tag. */
  readonly details?: Readonly<Record<string, string>>;
  readonly summary?: string;
}

export const SEMVER_CASES: readonly SelectCase[] = [
  {
    name: 'highest version in a caret range',
    policy: { semver: '^6.0.0' },
    tags: ['6.0.0', '6.0.2', '6.1.0', '7.0.0', '5.9.9'],
    chosen: '6.1.0',
    reasons: { '7.0.0': 'out-of-range', '5.9.9': 'out-of-range', '6.0.2': 'outranked', '6.0.0': 'outranked' },
    details: { '7.0.0': 'outside ^6.0.0', '6.0.2': '6.1.0 ranks higher' },
    summary: '6.1.0: highest of 3 versions in ^6.0.0',
  },
  {
    name: 'a v prefix is allowed and kept in the chosen tag',
    policy: { semver: '^1.0.0' },
    tags: ['v1.2.3', 'v1.3.0', '1.2.9'],
    chosen: 'v1.3.0',
  },
  {
    name: '1.0.0 and v1.0.0 pushed together: the later tag in byte order wins',
    policy: { semver: '*' },
    tags: ['1.0.0', 'v1.0.0'],
    chosen: 'v1.0.0',
    reasons: { '1.0.0': 'duplicate' },
    details: { '1.0.0': 'same version as v1.0.0' },
  },
  {
    name: '1.0.0 and v1.0.0: the later push wins before byte order',
    policy: { semver: '*' },
    tags: [
      { tag: '1.0.0', ageH: 1 },
      { tag: 'v1.0.0', ageH: 2 },
    ],
    chosen: '1.0.0',
    reasons: { 'v1.0.0': 'duplicate' },
  },
  {
    name: 'build metadata (`+`) is outside the OCI tag grammar: invalid-tag, never chosen',
    policy: { semver: '>=0.9.0' },
    tags: ['1.0.0+a', '1.0.0+b', '0.9.0'],
    chosen: '0.9.0',
    reasons: { '1.0.0+a': 'invalid-tag', '1.0.0+b': 'invalid-tag' },
    details: { '1.0.0+a': 'holds "+"' },
  },
  {
    name: 'equal versions: the later push wins',
    policy: { semver: '^1.0.0' },
    tags: [
      { tag: 'v1.0.0', ageH: 1 },
      { tag: '1.0.0', ageH: 5 },
    ],
    chosen: 'v1.0.0',
  },
  {
    name: '1.2.3-alpine is a prerelease, not a flavour (Renovate disagrees)',
    policy: { semver: '^1.2.0' },
    tags: ['1.2.3-alpine', '1.2.4'],
    chosen: '1.2.4',
    reasons: { '1.2.3-alpine': 'prerelease' },
    details: { '1.2.3-alpine': '^1.2.0 names none' },
  },
  {
    name: 'a prerelease alone in a range that names none: nothing eligible',
    policy: { semver: '^1.2.0' },
    tags: ['1.2.3-alpine'],
    chosen: undefined,
    summary: 'no eligible tag among 1 tag (1 prereleases)',
  },
  {
    name: '1.2.3-alpine loses to 1.2.4 when prereleases are admitted',
    policy: { semver: '>=1.2.0-0' },
    tags: ['1.2.3-alpine', '1.2.4'],
    chosen: '1.2.4',
    reasons: { '1.2.3-alpine': 'outranked' },
  },
  {
    name: '1.2 is not semver; 1.2.0 is (Renovate keeps precision instead)',
    policy: { semver: '^1.0.0' },
    tags: ['1.2', '1.2.0', '1'],
    chosen: '1.2.0',
    reasons: { '1.2': 'not-semver', '1': 'not-semver' },
  },
  {
    name: 'rc.10 ranks above rc.9 (numeric identifiers)',
    policy: { semver: '>=1.0.0-0' },
    tags: ['1.0.0-rc.9', '1.0.0-rc.10', '1.0.0-rc.1'],
    chosen: '1.0.0-rc.10',
  },
  {
    name: 'a release ranks above its release candidates',
    policy: { semver: '>=1.0.0-0' },
    tags: ['1.0.0-rc.10', '1.0.0'],
    chosen: '1.0.0',
  },
  {
    name: 'a range naming a prerelease admits prereleases of every version (Flux semantics)',
    policy: { semver: '^1.2.3-beta.1' },
    tags: ['1.2.3-beta.2', '1.3.0-alpha.1', '1.2.9', '2.0.0-rc.1'],
    chosen: '1.3.0-alpha.1',
    reasons: { '2.0.0-rc.1': 'out-of-range' },
  },
  {
    name: '>=6.0.0-0 picks a newer release candidate over an older release',
    policy: { semver: '>=6.0.0-0' },
    tags: ['6.0.5', '6.1.0-rc.1', '5.9.0'],
    chosen: '6.1.0-rc.1',
  },
  {
    name: 'leading zeros, four parts, words and an uppercase V are not semver',
    policy: { semver: '*' },
    tags: ['01.2.3', '1.2.3.4', 'latest', 'V1.0.0', '1.0.0-01', '0.1.0'],
    chosen: '0.1.0',
    reasons: {
      '01.2.3': 'not-semver',
      '1.2.3.4': 'not-semver',
      latest: 'not-semver',
      'V1.0.0': 'not-semver',
      '1.0.0-01': 'not-semver',
    },
    details: { latest: '"latest" is not X.Y.Z' },
  },
  {
    name: 'a major beyond 2^53 is not semver (as node-semver)',
    policy: { semver: '*' },
    tags: ['9007199254740993.0.0', '1.0.0'],
    chosen: '1.0.0',
    reasons: { '9007199254740993.0.0': 'not-semver' },
  },
  {
    name: '* admits every release but no prerelease',
    policy: { semver: '*' },
    tags: ['2.0.0', '3.0.0-rc.1'],
    chosen: '2.0.0',
    reasons: { '3.0.0-rc.1': 'prerelease' },
  },
  {
    name: 'alternatives with ||',
    policy: { semver: '^1.0.0 || ^3.0.0' },
    tags: ['1.5.0', '2.9.0', '3.1.0', '4.0.0'],
    chosen: '3.1.0',
    reasons: { '2.9.0': 'out-of-range', '4.0.0': 'out-of-range' },
  },
  {
    name: 'hyphen range',
    policy: { semver: '1.0.0 - 1.5.0' },
    tags: ['1.4.9', '1.5.0', '1.5.1'],
    chosen: '1.5.0',
  },
  {
    name: 'tilde range',
    policy: { semver: '~1.2.0' },
    tags: ['1.2.7', '1.3.0'],
    chosen: '1.2.7',
  },
  {
    name: 'semver on an extracted part',
    policy: { semver: '^2.0.0', pattern: '^app-(?<v>\\d+\\.\\d+\\.\\d+)-linux$', extract: '$v' },
    tags: ['app-2.1.0-linux', 'app-2.3.0-linux', 'app-2.9.0-windows', 'app-3.0.0-linux'],
    chosen: 'app-2.3.0-linux',
    reasons: { 'app-2.9.0-windows': 'pattern', 'app-3.0.0-linux': 'out-of-range' },
  },
];

export const NUMERICAL_CASES: readonly SelectCase[] = [
  {
    name: 'highest number, not last in byte order',
    policy: { order: 'numerical' },
    tags: ['1', '10', '9'],
    chosen: '10',
  },
  {
    name: 'a non-numeric tag is skipped, never fatal (Flux fails the policy)',
    policy: { order: 'numerical' },
    tags: ['1', '2', 'latest'],
    chosen: '2',
    reasons: { latest: 'not-numeric' },
    details: { latest: '"latest" is not a number' },
  },
  {
    name: 'integers beyond 2^53 compare exactly',
    policy: { order: 'numerical' },
    tags: ['20260101120000123457', '20260101120000123456'],
    chosen: '20260101120000123457',
  },
  {
    name: 'decimals compare as numbers',
    policy: { order: 'numerical' },
    tags: ['1.5', '1.25', '1.10'],
    chosen: '1.5',
  },
  {
    name: '007 and 7 are the same number: byte order breaks the tie',
    policy: { order: 'numerical' },
    tags: ['007', '7', '6'],
    chosen: '7',
    reasons: { '007': 'duplicate', '6': 'outranked' },
    details: { '007': 'same number as 7' },
  },
  {
    name: '007 and 7: the later push wins',
    policy: { order: 'numerical' },
    tags: [{ tag: '007', ageH: 1 }, '7'],
    chosen: '007',
    reasons: { '7': 'duplicate' },
  },
  {
    name: 'direction desc picks the lowest number',
    policy: { order: 'numerical', direction: 'desc' },
    tags: ['3', '1', '2'],
    chosen: '1',
  },
  {
    name: 'negative numbers',
    policy: { order: 'numerical' },
    tags: ['-1', '0', '-20'],
    chosen: '0',
  },
  {
    name: 'extract $1 from a build tag',
    policy: { order: 'numerical', pattern: '^main-(\\d+)-[0-9a-f]{7}$', extract: '$1' },
    tags: ['main-100-abcdef0', 'main-99-abcdef1', 'feature-500-abcdef2', 'main-101'],
    chosen: 'main-100-abcdef0',
    reasons: { 'feature-500-abcdef2': 'pattern', 'main-101': 'pattern' },
    details: { 'main-101': 'does not match pattern /^main-(\\d+)-[0-9a-f]{7}$/' },
  },
  {
    name: 'extract $name (the SPEC example)',
    policy: { order: 'numerical', pattern: '^main-(?<ts>\\d+)-[0-9a-f]{7}$', extract: '$ts' },
    tags: ['main-1732500000-1a2b3c4', 'main-1732600000-5d6e7f8', 'main-999-0000000'],
    chosen: 'main-1732600000-5d6e7f8',
  },
  {
    name: 'extract ${name} with literal text around it',
    policy: { order: 'numerical', pattern: '^r(?<major>\\d+)p(?<minor>\\d+)$', extract: '${major}.${minor}' },
    tags: ['r1p9', 'r1p10', 'r0p99'],
    chosen: 'r1p9',
  },
  {
    name: 'extract collision: byte order of the whole tag breaks the tie',
    policy: { order: 'numerical', pattern: '^main-(\\d+)-([0-9a-f]{7})$', extract: '$1' },
    tags: ['main-100-aaaaaaa', 'main-100-bbbbbbb', 'main-99-ccccccc'],
    chosen: 'main-100-bbbbbbb',
    reasons: { 'main-100-aaaaaaa': 'duplicate', 'main-99-ccccccc': 'outranked' },
    details: { 'main-100-aaaaaaa': 'same number as main-100-bbbbbbb' },
  },
  {
    name: 'extract collision: the later push wins',
    policy: { order: 'numerical', pattern: '^main-(\\d+)-([0-9a-f]{7})$', extract: '$1' },
    tags: [
      { tag: 'main-100-aaaaaaa', ageH: 3 },
      { tag: 'main-100-bbbbbbb', ageH: 4 },
    ],
    chosen: 'main-100-aaaaaaa',
  },
  {
    name: 'an extracted part that is not a number names the extracted text',
    policy: { order: 'numerical', pattern: '^build-(.*)$', extract: '$1' },
    tags: ['build-12', 'build-x'],
    chosen: 'build-12',
    reasons: { 'build-x': 'not-numeric' },
    details: { 'build-x': 'extracted "x" is not a number' },
  },
  {
    name: 'nothing numeric: no choice, no error',
    policy: { order: 'numerical' },
    tags: ['latest', 'stable'],
    chosen: undefined,
    summary: 'no eligible tag among 2 tags (2 not numeric)',
  },
  {
    name: 'an optional group that did not match extracts nothing, which is not a number',
    policy: { order: 'numerical', pattern: '^b(\\d+)?$', extract: '$1' },
    tags: ['b', 'b3'],
    chosen: 'b3',
    reasons: { b: 'not-numeric' },
  },
];

export const ALPHABETICAL_AND_NEWEST_CASES: readonly SelectCase[] = [
  {
    name: 'alphabetical asc picks the last (calver)',
    policy: { order: 'alphabetical' },
    tags: ['2026-01-02', '2026-01-10', '2025-12-31'],
    chosen: '2026-01-10',
    summary: '2026-01-10: last of 3 in byte order',
  },
  {
    name: 'alphabetical desc picks the first',
    policy: { order: 'alphabetical', direction: 'desc' },
    tags: ['2026-01-02', '2026-01-10', '2025-12-31'],
    chosen: '2025-12-31',
  },
  {
    name: 'byte order: lowercase after uppercase',
    policy: { order: 'alphabetical' },
    tags: ['a', 'B', 'Z'],
    chosen: 'a',
  },
  {
    name: 'alphabetical rc.9 after rc.10 (unlike semver)',
    policy: { order: 'alphabetical' },
    tags: ['rc.10', 'rc.9'],
    chosen: 'rc.9',
  },
  {
    name: 'alphabetical extract collision: the later push wins',
    policy: { order: 'alphabetical', pattern: '^(\\d{8})-\\w+$', extract: '$1' },
    tags: [{ tag: '20260101-x', ageH: 10 }, { tag: '20260101-a', ageH: 5 }, '20251231-z'],
    chosen: '20260101-a',
    reasons: { '20260101-x': 'duplicate', '20251231-z': 'outranked' },
    details: { '20260101-x': 'same key as 20260101-a' },
  },
  {
    name: 'newest pushed',
    policy: { newest: 'pushed' },
    tags: [
      { tag: 'b', ageH: 3 },
      { tag: 'a', ageH: 1 },
      { tag: 'c', ageH: 2 },
    ],
    chosen: 'a',
  },
  {
    name: 'newest: equal push times broken by byte order',
    policy: { newest: 'pushed' },
    tags: [
      { tag: 'abc', ageH: 1 },
      { tag: 'abd', ageH: 1 },
      { tag: 'old', ageH: 9 },
    ],
    chosen: 'abd',
    reasons: { abc: 'duplicate', old: 'outranked' },
    details: { abc: 'same push time as abd' },
  },
  {
    name: 'newest with minAge: the newest is too young',
    policy: { newest: 'pushed', minAge: '2h' },
    tags: [
      { tag: 'new', ageH: 1 },
      { tag: 'older', ageH: 3 },
    ],
    chosen: 'older',
    reasons: { new: 'too-young' },
    details: { new: '1h left of minAge 2h' },
  },
  {
    name: 'newest with a pattern',
    policy: { newest: 'pushed', pattern: '^main-' },
    tags: [
      { tag: 'pr-7', ageH: 1 },
      { tag: 'main-2', ageH: 2 },
    ],
    chosen: 'main-2',
    reasons: { 'pr-7': 'pattern' },
  },
];

export const PROMOTE_CASES: readonly SelectCase[] = [
  {
    name: 'promote: the latest tag live long enough in the source',
    policy: { promote: { from: 'staging', after: '24h' } },
    tags: ['1', '2', '3'],
    live: { '1': [[100, 60]], '2': [[60, 30]], '3': [[30]] },
    chosen: '3',
    summary: '3: went live last of 3 live in staging',
  },
  {
    name: 'promote: still soaking, with the time left',
    policy: { promote: { from: 'staging', after: '24h' } },
    tags: ['1', '2'],
    live: { '1': [[100, 21]], '2': [[21]] },
    chosen: '1',
    reasons: { '2': 'soaking' },
    details: { '2': 'ready in 3h' },
  },
  {
    name: 'promote: never live in the source',
    policy: { promote: { from: 'staging', after: '1h' } },
    tags: ['1', '2'],
    live: { '1': [[10]] },
    chosen: '1',
    reasons: { '2': 'not-promoted' },
    details: { '2': 'never live in staging' },
  },
  {
    name: 'promote: replaced before it soaked',
    policy: { promote: { from: 'staging', after: '24h' } },
    tags: ['1', '2', '3'],
    live: { '1': [[100, 50]], '2': [[50, 48]], '3': [[48]] },
    chosen: '3',
    reasons: { '2': 'soaking' },
    details: { '2': 'replaced before 1d' },
  },
  {
    name: 'promote: after a rollback in the source, the tag rolled back to wins',
    policy: { promote: { from: 'staging', after: '24h' } },
    tags: ['x', 'y'],
    live: { x: [[120, 72], [1]], y: [[72, 1]] },
    chosen: 'x',
  },
  {
    name: 'promote: an open interval of exactly `after` is enough',
    policy: { promote: { from: 'staging', after: '24h' } },
    tags: ['1'],
    live: { '1': [[24]] },
    chosen: '1',
  },
  {
    name: 'promote: no history at all',
    policy: { promote: { from: 'staging', after: '1h' } },
    tags: ['1', '2'],
    chosen: undefined,
    summary: 'no eligible tag among 2 tags (2 never live in staging)',
  },
  {
    name: 'promote with minAge',
    policy: { promote: { from: 'staging', after: '1h' }, minAge: '12h' },
    tags: [
      { tag: 'a', ageH: 10 },
      { tag: 'b', ageH: 20 },
    ],
    live: { a: [[5]], b: [[15, 5]] },
    chosen: 'b',
    reasons: { a: 'too-young' },
  },
];

export const MODIFIER_CASES: readonly SelectCase[] = [
  {
    name: 'minAge boundary: pushed exactly minAge ago is old enough',
    policy: { semver: '*', minAge: '24h' },
    tags: [
      { tag: '1.0.1', ageH: 24 },
      { tag: '1.0.0', ageH: 48 },
    ],
    chosen: '1.0.1',
  },
  {
    name: 'minAge boundary: a second short is too young',
    policy: { semver: '*', minAge: '24h' },
    tags: [
      { tag: '1.0.1', ageH: 24 - 1 / 3600 },
      { tag: '1.0.0', ageH: 48 },
    ],
    chosen: '1.0.0',
    reasons: { '1.0.1': 'too-young' },
    details: { '1.0.1': '1s left of minAge 1d' },
  },
  {
    name: 'without minAge a push time in the future (clock skew) is fine',
    policy: { semver: '*' },
    tags: [{ tag: '1.0.1', ageH: -1 }, '1.0.0'],
    chosen: '1.0.1',
  },
  {
    name: 'a reverted tag is not re-applied',
    policy: { semver: '^6.0.0' },
    tags: ['6.0.1', '6.0.2'],
    revertedTags: ['6.0.2'],
    chosen: '6.0.1',
    reasons: { '6.0.2': 'reverted' },
    details: { '6.0.2': 'reverted in this environment' },
  },
  {
    name: 'a reverted digest rejects every tag of that image',
    policy: { semver: '*' },
    tags: [{ tag: '2.0.0', image: 'bad' }, { tag: 'v2.0.0', image: 'bad' }, '1.0.0'],
    revertedImages: ['bad'],
    chosen: '1.0.0',
    reasons: { '2.0.0': 'reverted', 'v2.0.0': 'reverted' },
    details: { '2.0.0': 'reverted in this environment' },
  },
  {
    name: 'cosign signatures, attestations and SBOMs are excluded by default',
    policy: { order: 'alphabetical' },
    tags: [
      `sha256-${'a'.repeat(64)}.sig`,
      `sha256-${'b'.repeat(64)}.att`,
      `sha256-${'c'.repeat(64)}.sbom`,
      'main',
    ],
    chosen: 'main',
    reasons: {
      [`sha256-${'a'.repeat(64)}.sig`]: 'excluded-default',
      [`sha256-${'b'.repeat(64)}.att`]: 'excluded-default',
      [`sha256-${'c'.repeat(64)}.sbom`]: 'excluded-default',
    },
    details: { [`sha256-${'a'.repeat(64)}.sig`]: 'cosign signature' },
  },
  {
    name: 'only well-formed cosign tags are excluded by default',
    policy: { order: 'alphabetical' },
    tags: ['sha256-abc.sig', `sha256-${'A'.repeat(64)}.sig`, 'a'],
    chosen: 'sha256-abc.sig',
    reasons: { [`sha256-${'A'.repeat(64)}.sig`]: 'outranked' },
  },
  {
    name: 'policy exclude',
    policy: { semver: '*', exclude: ['^9\\.'] },
    tags: ['9.0.0', '8.0.0'],
    chosen: '8.0.0',
    reasons: { '9.0.0': 'excluded' },
    details: { '9.0.0': 'matches exclude /^9\\./ of the policy' },
  },
  {
    name: 'image-level exclude applies too',
    policy: { order: 'alphabetical' },
    imageExclude: ['^cache-'],
    tags: ['cache-z', 'build-a'],
    chosen: 'build-a',
    reasons: { 'cache-z': 'excluded' },
    details: { 'cache-z': 'of image img' },
  },
  {
    name: 'rule order: excluded comes before not-semver',
    policy: { semver: '*', exclude: ['^latest$'] },
    tags: ['latest', '1.0.0'],
    chosen: '1.0.0',
    reasons: { latest: 'excluded' },
  },
  {
    name: 'rule order: out-of-range comes before reverted and too-young',
    policy: { semver: '^1.0.0', minAge: '1h' },
    tags: [{ tag: '2.0.0', ageH: 0 }, '1.0.0'],
    revertedTags: ['2.0.0'],
    chosen: '1.0.0',
    reasons: { '2.0.0': 'out-of-range' },
  },
  {
    name: 'rule order: reverted comes before too-young',
    policy: { semver: '^1.0.0', minAge: '1h' },
    tags: [{ tag: '1.1.0', ageH: 0 }, '1.0.0'],
    revertedTags: ['1.1.0'],
    chosen: '1.0.0',
    reasons: { '1.1.0': 'reverted' },
  },
  {
    name: 'an empty repository',
    policy: { semver: '*' },
    tags: [],
    chosen: undefined,
    summary: 'no tags in the repository',
  },
  {
    name: 'digest: true does not change the choice',
    policy: { semver: '^1.0.0', digest: true },
    tags: ['1.0.0', '1.1.0'],
    chosen: '1.1.0',
  },
  {
    name: 'the summary counts what held newer versions back',
    policy: { semver: '^6.0.0', minAge: '24h' },
    tags: [
      { tag: '6.0.5', ageH: 1 },
      { tag: '6.0.4', ageH: 2 },
      { tag: '6.0.3', ageH: 3 },
      '6.0.2',
      '6.0.1',
      '6.0.0',
      '7.0.0',
      'latest',
    ],
    revertedTags: ['6.0.1'],
    chosen: '6.0.2',
    summary: '6.0.2: highest of 6 versions in ^6.0.0 (1 reverted, 3 too young)',
  },
];

export const ALL_CASES: readonly SelectCase[] = [
  ...SEMVER_CASES,
  ...NUMERICAL_CASES,
  ...ALPHABETICAL_AND_NEWEST_CASES,
  ...PROMOTE_CASES,
  ...MODIFIER_CASES,
];
