/**
 * The description of drawbridge's pull request (SPEC §10): one table row per update (image
 * with a link to its repository, old → new, digest, files), why each tag was chosen, and
 * what closing it does. Two hidden lines carry drawbridge's own state: which commit the
 * description describes (so a person's edits survive until the branch changes) and, once
 * drawbridge closed it itself, that it did (so that close refuses nothing).
 *
 * Values come from validated sources (OCI tags, sha256 digests, ECR URIs, repository paths);
 * cells are escaped all the same, and the table is cut to stay within every forge's limit.
 */
import type { Decision } from '../policy/types.js';
import type { UpdateRecord } from '../reconcile.js';

/** Room kept for the header, the reasons and the footer. */
const FRAME = 9_000;
const FILES_SHOWN = 3;

export const COMMIT_MARKER = /<!-- drawbridge:commit ([0-9a-f]{40,64}) -->/;
export const CLOSED_MARKER = '<!-- drawbridge:closed nothing-pending -->';

export interface BodyInput {
  readonly environment: string;
  readonly branch: string;
  readonly commit: string;
  readonly updates: readonly UpdateRecord[];
  readonly decisions: readonly Decision[];
  /** The forge's limit (Forge.maxBodyLength). */
  readonly maxLength: number;
}

/** Markdown table cell text: no line breaks, pipes or backticks that would end it. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[|`\\<>]/g, (char) => `\\${char}`);
}

/** The ECR console page of a repository URI, when it is one. */
export function repositoryLink(uri: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/(.+)$/.exec(uri);
  if (!match) return undefined;
  const [, account, region, name] = match;
  return `https://${region}.console.aws.amazon.com/ecr/repositories/private/${account}/${name}?region=${region}`;
}

function row(update: UpdateRecord): string {
  const link = repositoryLink(update.repository);
  const image = link ? `[${cell(update.image)}](${link})` : cell(update.image);
  const files = update.files.slice(0, FILES_SHOWN).map((file) => `\`${file.replace(/`/g, "'")}\``);
  const more = update.files.length - files.length;
  const fileText = `${files.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const digest = update.digest ? `\`${update.digest.slice(0, 19)}…\`` : '';
  return `| ${image} | ${cell(update.old)} | ${cell(update.new)} | ${digest} | ${fileText.replace(/\|/g, '\\|')} |`;
}

export function pullRequestBody(input: BodyInput): string {
  const rows: string[] = [];
  let used = 0;
  const budget = Math.max(1_000, input.maxLength - FRAME);
  const whyBudget = Math.min(6_000, Math.floor(input.maxLength / 4));
  for (const update of input.updates) {
    const line = row(update);
    if (used + line.length > budget) break;
    rows.push(line);
    used += line.length + 1;
  }
  const cut = input.updates.length - rows.length;
  const why = input.decisions
    .filter((decision) => input.updates.some((u) => u.image === decision.imageKey))
    .slice(0, rows.length)
    .map((decision) => `- **${cell(decision.imageKey)}**: ${cell(decision.summary)}`);
  const whyText = why.join('\n');
  return [
    `drawbridge updates **${cell(input.environment)}** (\`${input.branch}\`): ${input.updates.length} image${input.updates.length === 1 ? '' : 's'}.`,
    '',
    '| image | from | to | digest | files |',
    '|---|---|---|---|---|',
    ...rows,
    ...(cut > 0 ? ['', `…and ${cut} more updates: the commit message lists every one.`] : []),
    '',
    ...(whyText.length > 0 && whyText.length < whyBudget ? ['Why:', '', whyText, ''] : []),
    `Merge it to deploy. Close it without merging to refuse these tags in ${cell(input.environment)}, as a \`git revert\` does: drawbridge proposes the next newer tag when one appears.`,
    '',
    `<!-- drawbridge:commit ${input.commit} -->`,
  ].join('\n');
}

/** The commit a description was written for, if drawbridge wrote it. */
export function describedCommit(body: string): string | undefined {
  return COMMIT_MARKER.exec(body)?.[1];
}

/** The description without drawbridge's hidden lines. */
export function withoutMarkers(body: string): string {
  return body
    .split('\n')
    .filter((line) => !COMMIT_MARKER.test(line) && line !== CLOSED_MARKER)
    .join('\n')
    .trimEnd();
}
