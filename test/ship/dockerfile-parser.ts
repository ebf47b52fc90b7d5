/**
 * A small Dockerfile reader for tests (no Docker engine runs here): instructions with their
 * line, stage, `--flags`, shell or JSON (exec) form, and key=value pairs for ENV and LABEL.
 * Handles line continuations (with the `escape` directive), comments and blank lines inside
 * continued instructions, and heredoc-free Dockerfiles, which is what this project writes.
 */

export interface Instruction {
  readonly keyword: string;
  /** Arguments after the keyword and its flags, continuations joined with a space. */
  readonly args: string;
  /** Exec form (`["a", "b"]`) when the arguments are a JSON array of strings. */
  readonly json?: readonly string[];
  readonly flags: Readonly<Record<string, string>>;
  /** 1-based line of the keyword. */
  readonly line: number;
  /** 0-based index of the FROM this instruction belongs to (-1 before the first FROM). */
  readonly stage: number;
}

export interface Stage {
  readonly index: number;
  readonly image: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const escape = /^#\s*escape\s*=\s*(\S)/i.exec(lines[0] ?? '')?.[1] ?? '\\';
  const instructions: Instruction[] = [];
  let stage = -1;
  let index = 0;
  while (index < lines.length) {
    const first = lines[index] ?? '';
    const startLine = index + 1;
    index += 1;
    if (first.trim() === '' || first.trimStart().startsWith('#')) continue;
    let logical = first;
    while (endsWithEscape(logical, escape) && index <= lines.length) {
      logical = logical.trimEnd().slice(0, -1).trimEnd();
      // Comment and empty lines inside a continued instruction are dropped, as BuildKit does.
      while (index < lines.length && /^\s*(#.*)?$/.test(lines[index] ?? '')) index += 1;
      if (index >= lines.length) break;
      logical += ` ${(lines[index] ?? '').trim()}`;
      index += 1;
    }
    const instruction = parseInstruction(logical.trim(), startLine, stage);
    if (instruction.keyword === 'FROM') {
      stage += 1;
      instructions.push({ ...instruction, stage });
      continue;
    }
    instructions.push(instruction);
  }
  return instructions;
}

export function stages(instructions: readonly Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword !== 'FROM') continue;
    const [image = '', as, name] = instruction.args.split(/\s+/);
    result.push({
      index: instruction.stage,
      image,
      ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
      instructions: instructions.filter((item) => item.stage === instruction.stage && item !== instruction),
    });
  }
  return result;
}

/** `KEY=value` pairs of ENV, LABEL and ARG (quotes removed), or the legacy `ENV KEY value`. */
export function keyValues(instruction: Instruction): Record<string, string> {
  const text = instruction.args;
  if (!/^[^\s=]+=/.test(text)) {
    const [key = '', ...rest] = text.split(/\s+/);
    return { [key]: rest.join(' ') };
  }
  const pairs: Record<string, string> = {};
  const pattern = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const match of text.matchAll(pattern)) {
    const [, key = '', raw = ''] = match;
    pairs[key] = raw.startsWith('"')
      ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
      : raw.startsWith("'")
        ? raw.slice(1, -1)
        : raw;
  }
  return pairs;
}

function parseInstruction(text: string, line: number, stage: number): Instruction {
  const keyword = (/^\S+/.exec(text)?.[0] ?? '').toUpperCase();
  let rest = text.slice(keyword.length).trim();
  const flags: Record<string, string> = {};
  // HEALTHCHECK's options come before CMD; other instructions' flags before their arguments.
  for (
    let match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    match;
    match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[match[1] ?? ''] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
  const json = parseJsonForm(keyword === 'HEALTHCHECK' ? rest.replace(/^CMD\s+/i, '') : rest);
  return { keyword, args: rest, ...(json ? { json } : {}), flags, line, stage };
}

function parseJsonForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.trimEnd().endsWith(escape) && !line.trimStart().startsWith('#');
}
