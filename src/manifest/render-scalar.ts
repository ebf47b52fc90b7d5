import { parseDocument } from 'yaml-next';
import type { CST } from 'yaml-next';

export type ScalarStyle = CST.FlowScalar['type'];

/** Characters that may not start a plain scalar (YAML 1.2 c-indicator), plus space and tab. */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const FLOW_INDICATOR = /[,[\]{}]/;
/** Control characters, DEL, C1, surrogates, BOM: written double-quoted with escapes. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\ud800-\udfff\ufeff\ufffe\uffff]/;
/** Both schemas a Kubernetes toolchain may read with: YAML 1.2 core and YAML 1.1 (go-yaml v2). */
const SCHEMAS = ['core', 'yaml-1.1'] as const;

/**
 * The source text that makes YAML read `value` as that exact string, in the style the scalar
 * already has where that is possible. A plain scalar stays plain unless YAML would read the
 * new value as something else (`1.10`, `true`, `~`, `a: b`); it is then double-quoted.
 */
export function renderScalar(style: ScalarStyle, value: string, inFlow: boolean): string {
  if (style === 'single-quoted-scalar' && !NEEDS_ESCAPE.test(value) && !value.includes('\t')) {
    return `'${value.replaceAll("'", "''")}'`;
  }
  if (style === 'scalar' && isPlainSafe(value, inFlow)) return value;
  return doubleQuoted(value);
}

/** JSON string escapes are all valid YAML double-quoted escapes. */
export function doubleQuoted(value: string): string {
  return JSON.stringify(value);
}

export function isPlainSafe(value: string, inFlow: boolean): boolean {
  if (value === '' || value !== value.trim()) return false;
  if (INDICATOR_START.test(value) || NEEDS_ESCAPE.test(value) || value.includes('\t')) return false;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  if (value.startsWith('---') || value.startsWith('...')) return false;
  if (inFlow && FLOW_INDICATOR.test(value)) return false;
  return SCHEMAS.every((schema) => readsAsString(value, schema));
}

function readsAsString(value: string, schema: (typeof SCHEMAS)[number]): boolean {
  const document = parseDocument(value, { schema });
  return document.errors.length === 0 && document.toJS() === value;
}
