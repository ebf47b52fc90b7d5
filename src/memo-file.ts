/**
 * A cache file of drawbridge's own (plans that changed nothing, branch histories), kept beside
 * a repository's clone so the next `drawbridge scan` process starts with it. Read once and
 * taken only when it is exactly what this drawbridge writes (format and version stamp); the
 * caller checks each entry field by field. Written whole to a temporary file and renamed into
 * place, so a reader never sees half of it; a failed write only costs the next process the work.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from './log/logger.js';
import { isRecord } from './checks/record.js';

export interface MemoFileOptions {
  readonly file: string;
  /** Written into the file and required on reading: the drawbridge version. */
  readonly stamp: string;
  /** What the file holds, for the logs ("plan memo", "history memo"). */
  readonly what: string;
  readonly logger: Logger;
}

/** The file's entries (a plain object), or undefined when it is absent, foreign or damaged. */
export function readMemoFile(options: MemoFileOptions, format: number): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch {
    return undefined; // none yet
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const entries = isRecord(value) ? value['entries'] : undefined;
  if (
    !isRecord(value) ||
    value['format'] !== format ||
    value['stamp'] !== options.stamp ||
    !isRecord(entries)
  ) {
    options.logger.debug(
      { file: options.file, memo: options.what },
      'memo file ignored: not written by this drawbridge or damaged',
    );
    return undefined;
  }
  return entries;
}

export function writeMemoFile(
  options: MemoFileOptions,
  format: number,
  entries: Record<string, unknown>,
): void {
  const temporary = `${options.file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify({ format, stamp: options.stamp, entries }));
    renameSync(temporary, options.file);
  } catch (error) {
    options.logger.warn(
      { file: options.file, memo: options.what, error: String(error) },
      'memo file not written',
    );
  }
}
