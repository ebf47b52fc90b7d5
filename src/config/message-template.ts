/**
 * The placeholders of `messageTemplate` (rendered by src/git/message.ts), here so the config
 * rules can check a template without reaching into git.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'environment',
  'subject',
  'summary',
  'body',
  'changes',
  'count',
  'images',
  'fileCount',
  'referenceCount',
] as const;

export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** `{{ name }}` in a template (a new global regex each time: they carry state). */
export function placeholderPattern(): RegExp {
  return /\{\{\s*(\w+)\s*\}\}/g;
}

/** Placeholders a template names that the renderer does not know. */
export function unknownPlaceholders(template: string): string[] {
  const known: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS);
  return [...template.matchAll(placeholderPattern())]
    .map((m) => m[1] ?? '')
    .filter((name) => !known.has(name));
}
