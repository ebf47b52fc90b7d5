/**
 * GitHub's GraphQL endpoint, as much of it as drawbridge uses: the
 * `enablePullRequestAutoMerge` mutation, answered as GitHub answers — `{"data": …}` with the
 * fields the client selected, or `{"errors": [...]}` (parse errors, unknown fields, invalid
 * input) with HTTP 200, and per-field errors typed NOT_FOUND, FORBIDDEN or UNPROCESSABLE.
 */
import type { MergeStyle } from '../forge-remote.js';
import { allows, refusal, type Principal } from './auth.js';
import { GraphqlSyntaxError, parseOperation, type FieldNode, type ValueNode } from './graphql-parse.js';
import { iso, type Urls } from './render.js';
import type { GitHubStore, PullRecord, RepositoryRecord } from './store.js';

export interface GraphqlContext {
  readonly store: GitHubStore;
  readonly principal: Principal;
  readonly urls: Urls;
}

interface GraphqlError {
  readonly message: string;
  readonly type?: string;
  readonly path?: readonly (string | number)[];
  readonly locations?: readonly { line: number; column: number }[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export interface GraphqlAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphqlError[];
}

/** Object types and their fields' types; a type not listed here is a scalar or an enum. */
const OBJECT_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Query: {},
  Mutation: { enablePullRequestAutoMerge: 'EnablePullRequestAutoMergePayload' },
  EnablePullRequestAutoMergePayload: {
    actor: 'Actor',
    clientMutationId: 'String',
    pullRequest: 'PullRequest',
  },
  PullRequest: {
    id: 'ID',
    number: 'Int',
    url: 'URI',
    title: 'String',
    state: 'PullRequestState',
    isDraft: 'Boolean',
    merged: 'Boolean',
    headRefName: 'String',
    headRefOid: 'GitObjectID',
    baseRefName: 'String',
    autoMergeRequest: 'AutoMergeRequest',
  },
  AutoMergeRequest: {
    enabledAt: 'DateTime',
    enabledBy: 'Actor',
    mergeMethod: 'PullRequestMergeMethod',
    commitHeadline: 'String',
    commitBody: 'String',
  },
  Actor: { login: 'String' },
};

const MERGE_METHODS: Readonly<Record<string, MergeStyle>> = {
  MERGE: 'merge',
  SQUASH: 'squash',
  REBASE: 'rebase',
};
const INPUT_TYPE = 'EnablePullRequestAutoMergeInput';
const INPUT_FIELDS: Readonly<Record<string, string>> = {
  pullRequestId: 'ID!',
  mergeMethod: 'PullRequestMergeMethod',
  commitHeadline: 'String',
  commitBody: 'String',
  authorEmail: 'String',
  expectedHeadOid: 'GitObjectID',
  clientMutationId: 'String',
};

class FieldFailure extends Error {
  constructor(
    readonly type: 'NOT_FOUND' | 'FORBIDDEN' | 'UNPROCESSABLE',
    message: string,
  ) {
    super(message);
  }
}

export async function executeGraphql(
  body: Record<string, unknown>,
  context: GraphqlContext,
): Promise<GraphqlAnswer> {
  const { query } = body;
  if (typeof query !== 'string' || query.trim() === '')
    return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] };
  const variables = body['variables'] ?? {};
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables))
    return { errors: [{ message: 'Variables must be a JSON object.' }] };

  let operation;
  try {
    operation = parseOperation(query);
  } catch (error) {
    if (!(error instanceof GraphqlSyntaxError)) throw error;
    return { errors: [{ message: error.message, locations: [error.location] }] };
  }
  const given = variables as Record<string, unknown>;
  const values = new Map<string, unknown>();
  const errors: GraphqlError[] = [];
  for (const [name, declared] of operation.variables) {
    const value =
      name in given
        ? given[name]
        : declared.defaultValue
          ? literal(declared.defaultValue, values)
          : undefined;
    if (declared.type.endsWith('!') && (value === undefined || value === null))
      errors.push({
        message: `Variable $${name} of type ${declared.type} was provided invalid value`,
        extensions: {
          value: value ?? null,
          problems: [{ path: [], explanation: 'Expected value to not be null' }],
        },
      });
    values.set(name, value);
  }
  const root = operation.operation === 'mutation' ? 'Mutation' : 'Query';
  errors.push(...validateSelections(root, operation.selections, [operation.operation], values));
  if (errors.length > 0) return { errors };

  const data: Record<string, unknown> = {};
  const fieldErrors: GraphqlError[] = [];
  for (const field of operation.selections) {
    const key = field.alias ?? field.name;
    if (field.name === '__typename') {
      data[key] = root;
      continue;
    }
    try {
      const input = literal(field.arguments.get('input')!, values) as Record<string, unknown>;
      const payload = await enableAutoMerge(input, context);
      data[key] = select('EnablePullRequestAutoMergePayload', payload, field.selections ?? []);
    } catch (error) {
      if (!(error instanceof FieldFailure)) throw error;
      data[key] = null;
      fieldErrors.push({
        type: error.type,
        path: [key],
        locations: [field.location],
        message: error.message,
      });
    }
  }
  return fieldErrors.length > 0 ? { data, errors: fieldErrors } : { data };
}

function validateSelections(
  typeName: string,
  selections: readonly FieldNode[],
  path: readonly string[],
  variables: ReadonlyMap<string, unknown>,
): GraphqlError[] {
  const fields = OBJECT_TYPES[typeName] ?? {};
  const errors: GraphqlError[] = [];
  for (const field of selections) {
    const here = [...path, field.alias ?? field.name];
    const at = { path: here, locations: [field.location] };
    if (field.name === '__typename') continue;
    const fieldType = fields[field.name];
    if (fieldType === undefined) {
      errors.push({
        ...at,
        extensions: { code: 'undefinedField', typeName, fieldName: field.name },
        message: `Field '${field.name}' doesn't exist on type '${typeName}'`,
      });
      continue;
    }
    if (typeName === 'Mutation') errors.push(...validateInput(field, at, variables));
    else if (field.arguments.size > 0)
      errors.push({
        ...at,
        message: `Field '${field.name}' doesn't accept argument '${[...field.arguments.keys()][0]}'`,
      });
    const object = OBJECT_TYPES[fieldType] !== undefined;
    if (object && field.selections === undefined)
      errors.push({
        ...at,
        message: `Field must have selections (field '${field.name}' returns ${fieldType} but has no selections. Did you mean '${field.name} { ... }'?)`,
      });
    else if (!object && field.selections !== undefined)
      errors.push({
        ...at,
        message: `Selections can't be made on scalars (field '${field.name}' returns ${fieldType} but has selections [${field.selections.map((s) => s.name).join(', ')}])`,
      });
    else if (object) errors.push(...validateSelections(fieldType, field.selections!, here, variables));
  }
  return errors;
}

function validateInput(
  field: FieldNode,
  at: Pick<GraphqlError, 'path' | 'locations'>,
  variables: ReadonlyMap<string, unknown>,
): GraphqlError[] {
  const node = field.arguments.get('input');
  if (node === undefined)
    return [{ ...at, message: `Field '${field.name}' is missing required arguments: input` }];
  const input = literal(node, variables);
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return [
      {
        ...at,
        message: `Argument 'input' on Field '${field.name}' has an invalid value. Expected type '${INPUT_TYPE}!'.`,
      },
    ];
  const entries = input as Record<string, unknown>;
  const errors: GraphqlError[] = [];
  for (const [name, value] of Object.entries(entries)) {
    const type = INPUT_FIELDS[name];
    if (type === undefined)
      errors.push({ ...at, message: `InputObject '${INPUT_TYPE}' doesn't accept argument '${name}'` });
    else if (value !== null && !fits(type, value, node, name))
      errors.push({
        ...at,
        message: `Argument '${name}' on InputObject '${INPUT_TYPE}' has an invalid value (${JSON.stringify(value)}). Expected type '${type.replace(/!$/, '')}'.`,
      });
  }
  for (const [name, type] of Object.entries(INPUT_FIELDS))
    if (type.endsWith('!') && (entries[name] === undefined || entries[name] === null))
      errors.push({
        ...at,
        message: `Argument '${name}' on InputObject '${INPUT_TYPE}' is required. Expected type ${type}`,
      });
  return errors;
}

/** Whether an input value has its type; an enum written inline must be an enum literal. */
function fits(type: string, value: unknown, node: ValueNode, name: string): boolean {
  if (type === 'PullRequestMergeMethod') {
    const written = node.kind === 'object' ? node.fields.get(name) : undefined;
    if (written?.kind === 'string') return false;
    return typeof value === 'string' && value in MERGE_METHODS;
  }
  return typeof value === 'string';
}

function literal(node: ValueNode, variables: ReadonlyMap<string, unknown>): unknown {
  switch (node.kind) {
    case 'variable':
      return variables.get(node.name);
    case 'int':
    case 'float':
      return Number(node.value);
    case 'string':
    case 'enum':
    case 'boolean':
      return node.value;
    case 'null':
      return null;
    case 'list':
      return node.values.map((value) => literal(value, variables));
    case 'object':
      return Object.fromEntries([...node.fields].map(([key, value]) => [key, literal(value, variables)]));
  }
}

function select(typeName: string, value: unknown, selections: readonly FieldNode[]): unknown {
  if (value === null || value === undefined) return null;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of selections) {
    const key = field.alias ?? field.name;
    if (field.name === '__typename') {
      out[key] = typeName;
      continue;
    }
    const fieldType = OBJECT_TYPES[typeName]![field.name]!;
    const raw = source[field.name];
    out[key] =
      OBJECT_TYPES[fieldType] === undefined ? (raw ?? null) : select(fieldType, raw, field.selections!);
  }
  return out;
}

async function enableAutoMerge(input: Record<string, unknown>, context: GraphqlContext): Promise<unknown> {
  const id = String(input['pullRequestId']);
  const found = context.store.byNodeId(id);
  const visible =
    found !== undefined &&
    (context.principal.repositories === undefined ||
      context.principal.repositories.includes(found.repository.fullName));
  if (!visible)
    throw new FieldFailure('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
  const { repository, pull } = found;
  if (!allows(context.principal, [{ pull_requests: 'write' }]))
    throw new FieldFailure('FORBIDDEN', refusal(context.principal));
  await context.store.refreshHeads(repository, [pull]);
  const reason = context.store.autoMergeRefusal(repository, pull);
  if (reason !== undefined) throw new FieldFailure('UNPROCESSABLE', `Pull request ${reason}`);
  const expected = input['expectedHeadOid'];
  if (typeof expected === 'string' && expected !== pull.headSha)
    throw new FieldFailure('UNPROCESSABLE', 'Pull request head commit does not match the expected head oid');
  const method = typeof input['mergeMethod'] === 'string' ? MERGE_METHODS[input['mergeMethod']]! : 'merge';
  context.store.enableAutoMerge(pull, {
    mergeMethod: method,
    enabledBy: context.principal.login,
    commitHeadline: typeof input['commitHeadline'] === 'string' ? input['commitHeadline'] : undefined,
    commitBody: typeof input['commitBody'] === 'string' ? input['commitBody'] : undefined,
  });
  return {
    clientMutationId: input['clientMutationId'] ?? null,
    actor: { login: context.principal.login },
    pullRequest: pullRequestNode(repository, pull, context.urls),
  };
}

function pullRequestNode(
  repository: RepositoryRecord,
  pull: PullRecord,
  urls: Urls,
): Record<string, unknown> {
  const merged = pull.mergedAt !== null;
  const auto = pull.autoMerge;
  return {
    id: pull.nodeId,
    number: pull.number,
    url: `${urls.web}/${repository.fullName}/pull/${pull.number}`,
    title: pull.title,
    state: merged ? 'MERGED' : pull.state === 'open' ? 'OPEN' : 'CLOSED',
    isDraft: pull.draft,
    merged,
    headRefName: pull.head,
    headRefOid: pull.headSha,
    baseRefName: pull.base,
    autoMergeRequest:
      auto === null
        ? null
        : {
            enabledAt: iso(auto.enabledAt),
            enabledBy: { login: auto.enabledBy },
            mergeMethod: auto.mergeMethod.toUpperCase(),
            commitHeadline: auto.commitHeadline ?? null,
            commitBody: auto.commitBody ?? null,
          },
  };
}
