import type { CST } from 'yaml-next';

export type ScalarRole = 'key' | 'value';

/** The scalar a marker comment trails, as the CST has it (offsets are string indices). */
export interface MarkedScalar {
  readonly token: CST.FlowScalar;
  readonly role: ScalarRole;
  /** Inside a flow collection, where `,[]{}` end a plain scalar. */
  readonly inFlow: boolean;
}

/** A comment mentioning `$imagepolicy` that trails something on its line. */
export interface MarkerSite {
  readonly commentOffset: number;
  readonly comment: string;
  /** Undefined when the comment does not trail a scalar; `reason` says what it trails. */
  readonly scalar?: MarkedScalar;
  readonly reason?: string;
}

/** The word every marker comment holds; only files and comments holding it are looked at. */
export const MARKER_WORD = '$imagepolicy';

interface WalkState {
  readonly sites: MarkerSite[];
  /** Where the last mention of the marker word starts: nothing after it can be a marker. */
  readonly until: number;
  candidate: MarkedScalar | undefined;
  /** What last ended the candidate, for the warning when a marker trails no scalar. */
  blocker: string;
  lineHasContent: boolean;
  flowDepth: number;
}

/**
 * Collects marker comments from CST tokens in source order. A marker belongs to the scalar
 * that ends on the comment's line just before it (only spaces, commas and closing brackets
 * between), as Flux reads a trailing line comment. Whole-line comments are skipped: they are
 * how people comment a line out. Block scalar content is one token, so a marker written
 * inside it is text and never seen here. Tokens after `until` (the last mention of the marker
 * word in the text) are not visited: no marker comment starts there.
 */
export function createMarkerWalker(until: number): {
  visit(token: CST.Token): void;
  readonly sites: readonly MarkerSite[];
} {
  const state: WalkState = {
    sites: [],
    until,
    candidate: undefined,
    blocker: 'nothing',
    lineHasContent: false,
    flowDepth: 0,
  };
  return { visit: (token) => visitToken(state, token, 'value'), sites: state.sites };
}

function visitToken(state: WalkState, token: CST.Token, role: ScalarRole): void {
  if (token.offset > state.until) return;
  switch (token.type) {
    case 'document':
      visitAll(state, token.start);
      if (token.value) visitToken(state, token.value, 'value');
      visitAll(state, token.end);
      return;
    case 'doc-end':
      block(state, 'a document end marker');
      visitAll(state, token.end);
      return;
    case 'block-map':
    case 'block-seq':
      for (const item of token.items) {
        if (itemOffset(item) > state.until) return;
        visitItem(state, item);
      }
      return;
    case 'flow-collection':
      visitSource(state, token.start);
      state.flowDepth += 1;
      for (const item of token.items) visitItem(state, item);
      state.flowDepth -= 1;
      visitAll(state, token.end);
      return;
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      state.lineHasContent = true;
      state.candidate = { token, role, inFlow: state.flowDepth > 0 };
      visitAll(state, token.end);
      return;
    case 'alias':
      block(state, 'an alias');
      visitAll(state, token.end);
      return;
    case 'block-scalar':
      visitAll(state, token.props);
      block(state, 'a block scalar');
      state.lineHasContent = !token.source.endsWith('\n');
      return;
    default:
      visitSource(state, token);
  }
}

function visitItem(state: WalkState, item: CST.CollectionItem): void {
  visitAll(state, item.start);
  if (item.key) visitToken(state, item.key, 'key');
  visitAll(state, item.sep);
  if (item.value) visitToken(state, item.value, 'value');
}

function itemOffset(item: CST.CollectionItem): number {
  return (item.start[0] ?? item.key ?? item.sep?.[0] ?? item.value)?.offset ?? -1;
}

function visitAll(state: WalkState, tokens: readonly CST.Token[] | undefined): void {
  if (!tokens) return;
  for (const token of tokens) visitToken(state, token, 'value');
}

function block(state: WalkState, what: string): void {
  state.lineHasContent = true;
  state.candidate = undefined;
  state.blocker = what;
}

function visitSource(state: WalkState, token: CST.Token): void {
  switch (token.type) {
    case 'space':
    case 'byte-order-mark':
      return;
    case 'newline':
      state.lineHasContent = false;
      state.candidate = undefined;
      state.blocker = 'nothing';
      return;
    case 'comma':
    case 'flow-map-end':
    case 'flow-seq-end':
      state.lineHasContent = true;
      return;
    case 'comment':
      if (state.lineHasContent && 'source' in token && token.source.includes(MARKER_WORD)) {
        state.sites.push(siteFor(state, token.offset, token.source));
      }
      state.candidate = undefined;
      state.blocker = 'a comment';
      return;
    default:
      block(state, describe(token));
  }
}

function siteFor(state: WalkState, offset: number, comment: string): MarkerSite {
  if (state.candidate) return { commentOffset: offset, comment, scalar: state.candidate };
  return { commentOffset: offset, comment, reason: `it follows ${state.blocker}, not a scalar value` };
}

function describe(token: CST.Token): string {
  switch (token.type) {
    case 'map-value-ind':
      return 'a key with no value on its line';
    case 'seq-item-ind':
      return 'a sequence dash with no value on its line';
    case 'doc-start':
      return 'a document start marker';
    case 'anchor':
    case 'tag':
      return `a ${token.type} with no value on its line`;
    case 'flow-map-start':
    case 'flow-seq-start':
      return 'an opening bracket';
    case 'block-scalar-header':
      return 'a block scalar header';
    default:
      return `a ${token.type} token`;
  }
}
