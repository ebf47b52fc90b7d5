/** `scan --explain` text for one decision: the choice, why, and every rejected tag with its rule. */
import type { ImageCandidate } from '../registry.js';
import { printable } from '../log/printable.js';
import type { Decision, Rejection } from './types.js';

export interface ExplainOptions {
  /** Shown after the image key: `podinfo (prod)`. */
  readonly environment?: string;
  /** Rejected tags listed one per line before the rest is summed up by reason; default 50. */
  readonly limit?: number;
  /** Indent of every line; default ''. */
  readonly indent?: string;
}

function shortDigest(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(0, 19) : digest;
}

/** Tags come from the registry: escaped and capped so a hostile one cannot add lines. */
const TAG_SHOWN = 80;

function rows(rejections: readonly Rejection[], indent: string): string[] {
  const tags = rejections.map((r) => printable(r.tag, TAG_SHOWN));
  // reduce, not Math.max(...): a limit of Infinity may list 100,000 rows.
  const tagWidth = Math.min(
    40,
    tags.reduce((width, tag) => Math.max(width, tag.length), 0),
  );
  const reasonWidth = rejections.reduce((width, r) => Math.max(width, r.reason.length), 0);
  return rejections.map((r, i) =>
    `${indent}    ${tags[i]!.padEnd(tagWidth)}  ${r.reason.padEnd(reasonWidth)}  ${printable(r.detail, 400)}`.trimEnd(),
  );
}

function remainder(rejections: readonly Rejection[]): string {
  const counts = new Map<string, number>();
  for (const r of rejections) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ');
}

/** The chosen image's push time and, outside ECR, where it came from. */
export function pushedText(candidate: ImageCandidate): string {
  const at = candidate.pushedAt.toISOString();
  switch (candidate.pushedFrom) {
    case undefined:
      return `pushed ${at}`;
    case 'annotation':
      return `created ${at} (org.opencontainers.image.created)`;
    case 'config':
      return `created ${at} (image config)`;
    case 'first-seen':
      return `first seen ${at} (the image records no creation time)`;
    case 'unread':
      return 'push time not read (the policy needs none)';
  }
}

export function formatExplain(decision: Decision, options: ExplainOptions = {}): string {
  const indent = options.indent ?? '';
  const limit = options.limit ?? 50;
  const heading = options.environment ? `${decision.imageKey} (${options.environment})` : decision.imageKey;
  const { chosen, rejected } = decision;
  const lines = [`${indent}${heading}`];
  if (chosen) {
    lines.push(`${indent}  chosen    ${chosen.tag}  ${shortDigest(chosen.digest)}  ${pushedText(chosen)}`);
  } else {
    lines.push(`${indent}  chosen    none`);
  }
  lines.push(`${indent}  why       ${decision.summary}`);
  const considered = rejected.length + (chosen ? 1 : 0);
  lines.push(`${indent}  tags      ${considered} considered, ${decision.ranked.length} eligible`);
  if (rejected.length === 0) return lines.join('\n');
  lines.push(`${indent}  rejected (best first):`);
  const shown = rejected.slice(0, Math.max(0, limit));
  if (shown.length > 0) lines.push(...rows(shown, indent));
  const rest = rejected.slice(shown.length);
  if (rest.length > 0) lines.push(`${indent}    … ${rest.length} more: ${remainder(rest)}`);
  return lines.join('\n');
}
