/**
 * Reading the zod schema itself: which keys a mapping allows, what a field is for, and where
 * else a misplaced key belongs. Error messages use this so they never drift from the schema.
 */
import { z } from 'zod';
import type { PathSegment } from './issues.js';

/** Through optional, default, nullable and pipe (its input side) to the schema that decides shape. */
function unwrapOnce(schema: z.ZodType): z.ZodType | undefined {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return schema.unwrap() as z.ZodType;
  }
  if (schema instanceof z.ZodPipe) return schema.in as z.ZodType;
  return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let inner = unwrapOnce(current); inner !== undefined; inner = unwrapOnce(current)) current = inner;
  return current;
}

/** The schema of the node at `path`, as written (wrappers kept); undefined off the schema. */
export function schemaAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const segment of path) {
    if (current === undefined) return undefined;
    const shape = unwrap(current);
    if (shape instanceof z.ZodObject) current = (shape.shape as Record<string, z.ZodType>)[String(segment)];
    else if (shape instanceof z.ZodRecord) current = shape.valueType as z.ZodType;
    else if (shape instanceof z.ZodArray) current = shape.element as z.ZodType;
    else return undefined;
  }
  return current;
}

/** The keys a mapping at this schema allows; undefined when it is not a fixed-key mapping. */
export function knownKeys(schema: z.ZodType | undefined): readonly string[] | undefined {
  if (schema === undefined) return undefined;
  const shape = unwrap(schema);
  return shape instanceof z.ZodObject ? Object.keys(shape.shape) : undefined;
}

/** The description of a field, from its outermost wrapper that has one. */
export function describe(schema: z.ZodType | undefined): string | undefined {
  for (let current = schema; current !== undefined; current = unwrapOnce(current)) {
    const description = current.meta()?.description;
    if (typeof description === 'string') return description;
  }
  return undefined;
}

/**
 * Every place a key is allowed, as dotted paths with `<name>` for record keys, e.g.
 * `minAge` → [`environments.<name>.policies.<name>`]. For "this key belongs elsewhere".
 */
export function keyHomes(root: z.ZodType): ReadonlyMap<string, readonly string[]> {
  const homes = new Map<string, string[]>();
  const visit = (schema: z.ZodType, path: string[]): void => {
    const shape = unwrap(schema);
    if (shape instanceof z.ZodObject) {
      for (const [key, child] of Object.entries<z.ZodType>(shape.shape)) {
        const list = homes.get(key) ?? [];
        list.push(path.join('.'));
        homes.set(key, list);
        visit(child, [...path, key]);
      }
    } else if (shape instanceof z.ZodRecord) {
      visit(shape.valueType as z.ZodType, [...path, '<name>']);
    } else if (shape instanceof z.ZodArray) {
      visit(shape.element as z.ZodType, [...path, '<index>']);
    }
  };
  visit(root, []);
  return homes;
}
