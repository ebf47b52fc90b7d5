/**
 * ECR scan results as ScanFacts: the summary DescribeImages carries, or what
 * DescribeImageScanFindings answers for an image whose summary was absent.
 */
import type { DescribeImageScanFindingsCommandOutput } from '@aws-sdk/client-ecr';
import type { ScanFacts, Severity } from '../../registry.js';

type CountKey = Severity | 'UNDEFINED';
const KNOWN: ReadonlySet<string> = new Set<CountKey>([
  'INFORMATIONAL',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
  'UNDEFINED',
]);

/** Scan facts from a DescribeImages entry, or undefined when ECR sent no summary. */
export function scanFactsOf(detail: {
  readonly imageScanStatus?: { readonly status?: string | undefined } | undefined;
  readonly imageScanFindingsSummary?:
    { readonly findingSeverityCounts?: Readonly<Record<string, number>> | undefined } | undefined;
}): ScanFacts | undefined {
  const counts = detail.imageScanFindingsSummary?.findingSeverityCounts;
  if (!detail.imageScanFindingsSummary || !counts) return undefined;
  return { status: detail.imageScanStatus?.status ?? 'UNKNOWN', counts: knownCounts(counts) };
}

export function scanFactsFromFindings(output: DescribeImageScanFindingsCommandOutput): ScanFacts {
  return {
    status: output.imageScanStatus?.status ?? 'UNKNOWN',
    counts: knownCounts(output.imageScanFindings?.findingSeverityCounts ?? {}),
  };
}

/** What an image without any scan reports (ScanNotFoundException): nothing known. */
export const NOT_SCANNED: ScanFacts = { status: 'UNKNOWN', counts: {} };

function knownCounts(counts: Readonly<Record<string, number>>): ScanFacts['counts'] {
  const out: Partial<Record<CountKey, number>> = {};
  for (const [severity, count] of Object.entries(counts))
    if (isCountKey(severity) && typeof count === 'number') out[severity] = count;
  return out;
}

function isCountKey(severity: string): severity is CountKey {
  return KNOWN.has(severity);
}
