/**
 * Random YAML files with markers for the property test. The generator renders text itself and
 * records, independently of the code under test, where each marked scalar's source lies and
 * what every document holds.
 */
import fc from 'fast-check';
import { parse } from 'yaml';
import type { MarkerField } from '../../src/manifest/index.js';

export type Style = 'plain' | 'single' | 'double';
export interface Mark {
  readonly image: string;
  readonly field: MarkerField;
  readonly namespace: boolean;
  readonly spacing: number;
}
export type GenNode =
  | { readonly kind: 'scalar'; readonly value: string; readonly style: Style; readonly mark?: Mark }
  | { readonly kind: 'map'; readonly flow: boolean; readonly entries: readonly GenNode[] }
  | { readonly kind: 'seq'; readonly flow: boolean; readonly items: readonly GenNode[] };

export interface GenFile {
  readonly documents: readonly GenNode[];
  readonly bom: boolean;
  readonly crlf: boolean;
  readonly leadingSeparator: boolean;
  readonly endMarkers: boolean;
  readonly comments: boolean;
}

export const IMAGES = ['web', 'api', 'job'] as const;
const FIELDS: readonly MarkerField[] = ['image', 'tag', 'name', 'digest'];

const plainValue = fc
  .stringMatching(/^[a-z][a-z0-9./-]{0,10}$/)
  .filter((value) => parse(value) === value && !value.includes('//'));
const anyValue = fc.oneof(plainValue, fc.constantFrom('it’s', "o'k", 'a "q"', 'ü/é:1', '1.5', 'x y'));

const markArb: fc.Arbitrary<Mark> = fc.record({
  image: fc.constantFrom(...IMAGES),
  field: fc.constantFrom(...FIELDS),
  namespace: fc.boolean(),
  spacing: fc.integer({ min: 0, max: 2 }),
});

const scalarArb = (markable: boolean): fc.Arbitrary<GenNode> =>
  fc
    .record({
      value: anyValue,
      style: fc.constantFrom<Style>('plain', 'single', 'double'),
      mark: markable ? fc.option(markArb, { nil: undefined, freq: 2 }) : fc.constant(undefined),
    })
    .map(({ value, style, mark }) => {
      const safeStyle: Style = style === 'plain' && parse(value) !== value ? 'double' : style;
      return { kind: 'scalar', value, style: safeStyle, ...(mark ? { mark } : {}) };
    });

const nodeArb = fc.letrec<{ block: GenNode; flow: GenNode }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb(true),
    fc.record({
      kind: fc.constant('map' as const),
      flow: fc.constant(false),
      entries: fc.array(tie('block'), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('seq' as const),
      flow: fc.constant(false),
      items: fc.array(tie('block'), { minLength: 1, maxLength: 4 }),
    }),
    tie('flow'),
  ),
  flow: fc.oneof(
    { depthSize: 'small' },
    fc.record({
      kind: fc.constant('seq' as const),
      flow: fc.constant(true),
      items: fc.array(scalarArb(true), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('map' as const),
      flow: fc.constant(true),
      entries: fc.array(scalarArb(true), { minLength: 1, maxLength: 3 }),
    }),
  ),
}));

const rootArb: fc.Arbitrary<GenNode> = fc.oneof(
  fc.record({
    kind: fc.constant('map' as const),
    flow: fc.constant(false),
    entries: fc.array(nodeArb.block, { minLength: 1, maxLength: 5 }),
  }),
  fc.record({
    kind: fc.constant('seq' as const),
    flow: fc.constant(false),
    items: fc.array(nodeArb.block, { minLength: 1, maxLength: 4 }),
  }),
);

export const fileArb: fc.Arbitrary<GenFile> = fc.record({
  documents: fc.array(rootArb, { minLength: 1, maxLength: 3 }),
  bom: fc.boolean(),
  crlf: fc.boolean(),
  leadingSeparator: fc.boolean(),
  endMarkers: fc.boolean(),
  comments: fc.boolean(),
});

/** A marked scalar as rendered: its source's byte range and its value. */
export interface Placed {
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly mark: Mark;
  /** Path of the node in its document's JS value. */
  readonly document: number;
  readonly path: readonly (string | number)[];
}

export interface Rendered {
  readonly bytes: Buffer;
  readonly placed: readonly Placed[];
  readonly values: readonly unknown[];
}

function quote(value: string, style: Style): string {
  if (style === 'single') return `'${value.replaceAll("'", "''")}'`;
  if (style === 'double') return JSON.stringify(value);
  return value;
}

function markerComment(mark: Mark): string {
  const ref = `${mark.namespace ? 'flux-system:' : ''}${mark.image}${mark.field === 'image' ? '' : `:${mark.field}`}`;
  const gap = ['', ' ', '  '][mark.spacing]!;
  const lead = [' ', '  ', ' \t'][mark.spacing]!;
  return `${lead}# {${gap}"$imagepolicy":${gap || ' '}"${ref}"${gap}}`;
}

/** Renders to text, tracking byte offsets of marked scalars as it goes. */
export function render(file: GenFile): Rendered {
  const nl = file.crlf ? '\r\n' : '\n';
  const parts: string[] = [];
  let bytes = 0;
  const placed: Placed[] = [];
  const emit = (text: string): void => {
    parts.push(text);
    bytes += Buffer.byteLength(text);
  };
  /** Only the last scalar on a line can carry the line's marker; other marks are dropped. */
  const scalar = (node: ScalarNode, marked: boolean, document: number, path: (string | number)[]): void => {
    const start = bytes;
    emit(quote(node.value, node.style));
    if (node.mark && marked)
      placed.push({ start, end: bytes, value: node.value, mark: node.mark, document, path });
  };
  const flow = (node: GenNode, marked: boolean, document: number, path: (string | number)[]): void => {
    if (node.kind === 'scalar') return scalar(node, marked, document, path);
    const items = node.kind === 'map' ? node.entries : node.items;
    emit(node.kind === 'map' ? '{' : '[');
    items.forEach((item, index) => {
      if (index > 0) emit(', ');
      if (node.kind === 'map') emit(`k${index}: `);
      const last = marked && index === items.length - 1;
      flow(item, last, document, [...path, node.kind === 'map' ? `k${index}` : index]);
    });
    emit(node.kind === 'map' ? '}' : ']');
  };
  const block = (node: GenNode, indent: number, document: number, path: (string | number)[]): void => {
    const pad = ' '.repeat(indent);
    const items = node.kind === 'map' ? node.entries : node.kind === 'seq' ? node.items : [];
    items.forEach((item, index) => {
      if (file.comments && index === 1) emit(`${pad}# note ü ${index}${nl}`);
      const key = node.kind === 'map' ? `k${index}` : index;
      emit(node.kind === 'map' ? `${pad}k${index}:` : `${pad}-`);
      const childPath = [...path, key];
      if (item.kind === 'scalar' || item.flow) {
        emit(' ');
        flow(item, true, document, childPath);
        const mark = lastScalar(item).mark;
        if (mark) emit(markerComment(mark));
        emit(nl);
      } else {
        emit(nl);
        block(item, indent + 2, document, childPath);
      }
    });
  };
  if (file.bom) emit('\ufeff');
  file.documents.forEach((document, index) => {
    if (index > 0 || file.leadingSeparator) emit(`---${nl}`);
    if (file.comments) emit(`# document ${index} — ✓${nl}`);
    block(document, 0, index, []);
    if (file.endMarkers) emit(`...${nl}`);
  });
  return { bytes: Buffer.from(parts.join('')), placed, values: file.documents.map(toJs) };
}

type ScalarNode = Extract<GenNode, { kind: 'scalar' }>;

function lastScalar(node: GenNode): ScalarNode | { mark?: undefined } {
  if (node.kind === 'scalar') return node;
  const items = node.kind === 'map' ? node.entries : node.items;
  const last = items[items.length - 1];
  return last ? lastScalar(last) : {};
}

function toJs(node: GenNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toJs);
  return Object.fromEntries(node.entries.map((entry, index) => [`k${index}`, toJs(entry)]));
}
