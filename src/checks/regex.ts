/**
 * Regular expressions from the config (`pattern`, `exclude`, an image's `exclude`) run on RE2
 * (the `re2js` port): matching time is linear in the tag's length whatever the expression, so
 * `(a+)+$` costs what `a+$` costs, where a backtracking engine would run for hours. RE2 is
 * also the engine of Go's `regexp`, which Flux and Argo CD Image Updater use, so a pattern
 * carried over from them means what it meant there. What RE2 lacks (lookahead, lookbehind,
 * backreferences, `\uXXXX`, written `\x{XXXX}` instead) is refused at validation with the
 * engine's own words. Both `(?<name>…)` and Go's `(?P<name>…)` name a group.
 */
import { RE2JS, RE2JSException } from 're2js';

/** The part of RegExp that policies use: a search anywhere in the text, as RegExp.test does. */
export interface TagRegex {
  readonly source: string;
  test(text: string): boolean;
  /** The first match with its groups (`groups` holds the named ones), or null. */
  exec(text: string): RegExpExecArray | null;
}

/** Longer sources are refused: no policy needs one, and RE2 programs grow with them. */
export const REGEX_MAX_LENGTH = 1000;

export const REGEX_HINT =
  'regexes run on RE2 (linear time; the engine of Flux and Argo CD Image Updater): no lookahead, lookbehind or backreferences; write \\x{41} for \\u0041; single-quote them in YAML';

/** Why RE2 refuses `source`, in its words; undefined when it compiles. */
export function regexProblem(source: string): string | undefined {
  if (source.length > REGEX_MAX_LENGTH) return `${source.length} characters, at most ${REGEX_MAX_LENGTH}`;
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    // RE2 ends with the part it refused: kept when it narrows things down, not when it is all of it.
    const message = error.message.replace(/^error parsing regexp: /, '');
    const whole = `: \`${source}\``;
    return message.endsWith(whole) ? message.slice(0, -whole.length) : message;
  }
}

/** Compiles a source regexProblem() accepted; throws RE2's error otherwise. */
export function compileRegex(source: string): TagRegex {
  const problem = regexProblem(source);
  if (problem !== undefined) throw new SyntaxError(`invalid regular expression: ${problem}`);
  const compiled = RE2JS.compile(source);
  return {
    source,
    test: (text) => compiled.test(text),
    exec: (text) => compiled.exec(text) as RegExpExecArray | null,
  };
}

export interface CaptureGroups {
  readonly count: number;
  readonly names: readonly string[];
}

/** Numbered and named capturing groups of a source regexProblem() accepted, else undefined. */
export function captureGroups(source: string): CaptureGroups | undefined {
  if (regexProblem(source) !== undefined) return undefined;
  const compiled = RE2JS.compile(source);
  return { count: compiled.groupCount(), names: Object.keys(compiled.namedGroups()) };
}
