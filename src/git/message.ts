/**
 * Commit messages (SPEC §5): a template for people, trailers for drawbridge. The trailers are
 * always appended after the rendered template, so a custom template can never break how
 * drawbridge reads its own history.
 *
 * Template placeholders: {{environment}}, {{subject}} (the default first line),
 * {{summary}} (`podinfo 6.0.1 → 6.0.2, api …`), {{body}} (the default per-image block),
 * {{count}} (number of images), {{images}} (image keys, comma separated).
 */

export interface CommitUpdate {
  readonly image: string;
  readonly repository: string;
  readonly old: string;
  readonly new: string;
  readonly digest: string;
  readonly files: readonly { readonly file: string; readonly kind?: string; readonly name?: string }[];
}

export const TRAILER_ENVIRONMENT = 'Drawbridge-Environment';
export const TRAILER_UPDATE = 'Drawbridge-Update';
export const TRAILER_HOLD = 'Drawbridge-Hold';
export const TRAILER_RELEASE = 'Drawbridge-Release';

export const DEFAULT_TEMPLATE = '{{subject}}\n\n{{body}}';
export const TEMPLATE_PLACEHOLDERS = [
  'environment',
  'subject',
  'summary',
  'body',
  'count',
  'images',
] as const;

const SUBJECT_IMAGES = 3;
/** An empty old value (first write) travels as `-` so the trailer keeps four fields. */
const NONE = '-';

export interface RenderInput {
  readonly environment: string;
  readonly updates: readonly CommitUpdate[];
  readonly template?: string;
}

export function renderCommitMessage(input: RenderInput): string {
  const { environment, updates } = input;
  const changes = updates.map((u) => `${u.image} ${u.old || NONE} → ${u.new}`);
  const subject =
    updates.length <= SUBJECT_IMAGES
      ? `deploy(${environment}): ${changes.join(', ')}`
      : `deploy(${environment}): ${updates.length} images (${updates.map((u) => u.image).join(', ')})`;
  const values: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    environment,
    subject,
    summary: changes.join(', '),
    body: updates.map(imageBlock).join('\n'),
    count: String(updates.length),
    images: updates.map((u) => u.image).join(', '),
  };
  const text = (input.template ?? DEFAULT_TEMPLATE).replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in values ? values[name as keyof typeof values] : whole,
  );
  return `${text.trimEnd()}\n\n${trailers(environment, updates)}\n`;
}

/** Placeholders a template names that renderCommitMessage does not know (for config validation). */
export function unknownPlaceholders(template: string): string[] {
  const known: ReadonlySet<string> = new Set(TEMPLATE_PLACEHOLDERS);
  return [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !known.has(name));
}

function imageBlock(update: CommitUpdate): string {
  const head = `${update.image}  ${update.repository}  ${update.old || NONE} → ${update.new}`;
  const files = update.files.map((f) => {
    const what = f.kind && f.name ? `  ${f.kind}/${f.name}` : f.kind ? `  ${f.kind}` : '';
    return `  ${f.file}${what}`;
  });
  return [head, ...files].join('\n');
}

function trailers(environment: string, updates: readonly CommitUpdate[]): string {
  const lines = [`${TRAILER_ENVIRONMENT}: ${environment}`];
  for (const u of updates) {
    lines.push(`${TRAILER_UPDATE}: ${u.image} ${u.old || NONE} -> ${u.new}${u.digest ? ` ${u.digest}` : ''}`);
  }
  return lines.join('\n');
}

export interface ParsedTrailers {
  readonly environment?: string;
  readonly updates: { image: string; old: string; new: string; digest?: string }[];
  readonly hold?: string;
  readonly release?: string;
}

const TRAILER_LINE = /^([A-Za-z-]+):[ \t]*(.*?)\s*$/;

/**
 * Reads drawbridge's trailers from anywhere in a message: squash merges keep them in the
 * body, not in the final paragraph, and they must still count.
 */
export function parseTrailers(message: string): ParsedTrailers {
  let environment: string | undefined;
  let hold: string | undefined;
  let release: string | undefined;
  const updates: ParsedTrailers['updates'] = [];
  for (const raw of message.split(/\r?\n/)) {
    // Squash merges indent or bullet the original lines.
    const match = TRAILER_LINE.exec(raw.replace(/^[\s*-]+/, ''));
    if (!match) continue;
    const [, key = '', value = ''] = match;
    switch (key.toLowerCase()) {
      case TRAILER_ENVIRONMENT.toLowerCase():
        environment ??= value;
        break;
      case TRAILER_UPDATE.toLowerCase(): {
        const update = /^(\S+)\s+(\S+)\s+->\s+(\S+)(?:\s+(\S+))?$/.exec(value);
        if (!update) break;
        const [, image = '', old = '', next = '', digest] = update;
        updates.push({ image, old: old === NONE ? '' : old, new: next, ...(digest ? { digest } : {}) });
        break;
      }
      case TRAILER_HOLD.toLowerCase():
        hold ??= value;
        break;
      case TRAILER_RELEASE.toLowerCase():
        release ??= value;
        break;
    }
  }
  return {
    ...(environment === undefined ? {} : { environment }),
    updates,
    ...(hold === undefined ? {} : { hold }),
    ...(release === undefined ? {} : { release }),
  };
}

/** The commit of `drawbridge hold` / `release`. */
export function renderHoldMessage(input: {
  readonly environment: string;
  readonly image: string;
  readonly hold: boolean;
  readonly by: string;
  readonly reason?: string;
}): string {
  const verb = input.hold ? 'hold' : 'release';
  const why = input.hold
    ? `Held by ${input.by}${input.reason ? `: ${input.reason}` : ''}.`
    : `Released by ${input.by}.`;
  const trailer = input.hold ? TRAILER_HOLD : TRAILER_RELEASE;
  return `${verb}(${input.environment}): ${input.image}\n\n${why}\n\n${TRAILER_ENVIRONMENT}: ${input.environment}\n${trailer}: ${input.image}\n`;
}
