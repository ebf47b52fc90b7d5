/** "Did you mean …?" for unknown keys, image names, environment names and enum values. */

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`semevr` → `semver`). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previousRow: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const beforePrevious = previousRow;
    previousRow = row;
    row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previousRow[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previousRow[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The known word closest to `word`, when it is close enough to be a likely typo: a case-only
 * difference, or at most one edit per three characters (and at least one).
 * Ties go to the word listed first, so the answer does not depend on hashing order.
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (candidate === word) continue;
    const distance = candidate.toLowerCase() === lower ? 0.5 : editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** `did you mean \`x\`?` when one is close, else the list of what is allowed. */
export function suggestionHint(word: string, known: readonly string[], noun = 'known keys'): string {
  const match = closest(word, known);
  if (match !== undefined) return `did you mean \`${match}\`?`;
  if (known.length === 0) return `there are no ${noun} here`;
  return `${noun}: ${known.join(', ')}`;
}
