/**
 * A parser for the part of the GraphQL language a client sends GitHub's mutations in: one
 * operation (query or mutation, named or not, with variable definitions), fields with
 * aliases, arguments and nested selections, and every literal value (variables, numbers,
 * strings, booleans, null, enums, lists, input objects). Fragments and directives are
 * refused with a GraphQL error rather than misread.
 */

export interface Location {
  readonly line: number;
  readonly column: number;
}

export type ValueNode =
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'int' | 'float' | 'string' | 'enum'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'list'; readonly values: readonly ValueNode[] }
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, ValueNode> };

export interface FieldNode {
  readonly alias: string | undefined;
  readonly name: string;
  readonly arguments: ReadonlyMap<string, ValueNode>;
  readonly selections: readonly FieldNode[] | undefined;
  readonly location: Location;
}

export interface OperationNode {
  readonly operation: 'query' | 'mutation';
  readonly name: string | undefined;
  /** Declared variables with their type as written (`ID!`) and default. */
  readonly variables: ReadonlyMap<string, { readonly type: string; readonly defaultValue?: ValueNode }>;
  readonly selections: readonly FieldNode[];
}

export class GraphqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly location: Location,
  ) {
    super(message);
    this.name = 'GraphqlSyntaxError';
  }
}

type TokenKind = 'punct' | 'name' | 'int' | 'float' | 'string' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly location: Location;
}

const PUNCTUATORS = new Set(['!', '$', '(', ')', ':', '=', '@', '[', ']', '{', '}', '|', '&']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const here = (at: number): Location => ({ line, column: at - lineStart + 1 });
  while (i < source.length) {
    const char = source[i]!;
    if (char === '\n') {
      line += 1;
      i += 1;
      lineStart = i;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === ',' || char === '\ufeff') {
      i += 1;
    } else if (char === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('...', i)) {
      throw new GraphqlSyntaxError('Fragments are not supported by this emulator', here(i));
    } else if (PUNCTUATORS.has(char)) {
      tokens.push({ kind: 'punct', value: char, location: here(i) });
      i += 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const start = i;
      while (i < source.length && /\w/.test(source[i]!)) i += 1;
      tokens.push({ kind: 'name', value: source.slice(start, i), location: here(start) });
    } else if (/[-\d]/.test(char)) {
      const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (match === null) throw new GraphqlSyntaxError(`Parse error on "${char}"`, here(i));
      const float = match[1] !== undefined || match[2] !== undefined;
      tokens.push({ kind: float ? 'float' : 'int', value: match[0], location: here(i) });
      i += match[0].length;
    } else if (char === '"') {
      const start = i;
      const { value, end } = readString(source, i, () => here(start));
      tokens.push({ kind: 'string', value, location: here(start) });
      i = end;
    } else {
      throw new GraphqlSyntaxError(`Parse error on "${char}"`, here(i));
    }
  }
  tokens.push({ kind: 'eof', value: '', location: here(i) });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

function readString(source: string, start: number, where: () => Location): { value: string; end: number } {
  if (source.startsWith('"""', start)) {
    const close = source.indexOf('"""', start + 3);
    if (close < 0) throw new GraphqlSyntaxError('Unterminated string', where());
    return { value: source.slice(start + 3, close), end: close + 3 };
  }
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '"') return { value, end: i + 1 };
    if (char === '\n') break;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (next === 'u') {
        const hex = source.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new GraphqlSyntaxError('Bad escape in string', where());
        value += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const escaped = ESCAPES[next];
      if (escaped === undefined) throw new GraphqlSyntaxError('Bad escape in string', where());
      value += escaped;
      i += 2;
      continue;
    }
    value += char;
    i += 1;
  }
  throw new GraphqlSyntaxError('Unterminated string', where());
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const token = this.tokens[this.at]!;
    if (token.kind !== 'eof') this.at += 1;
    return token;
  }

  private fail(token: Token): never {
    const shown = token.kind === 'eof' ? 'end of file' : `"${token.value}"`;
    throw new GraphqlSyntaxError(
      `Parse error on ${shown} at [${token.location.line}, ${token.location.column}]`,
      token.location,
    );
  }

  private isPunct(value: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.value === value;
  }

  private expectPunct(value: string): Token {
    const token = this.next();
    if (token.kind !== 'punct' || token.value !== value) this.fail(token);
    return token;
  }

  private expectName(): string {
    const token = this.next();
    if (token.kind !== 'name') this.fail(token);
    return token.value;
  }

  document(): OperationNode {
    const operation = this.operation();
    const rest = this.peek();
    if (rest.kind !== 'eof') {
      if (rest.kind === 'name' && rest.value === 'fragment')
        throw new GraphqlSyntaxError('Fragments are not supported by this emulator', rest.location);
      throw new GraphqlSyntaxError('This emulator runs documents with one operation only', rest.location);
    }
    return operation;
  }

  private operation(): OperationNode {
    if (this.isPunct('{'))
      return { operation: 'query', name: undefined, variables: new Map(), selections: this.selectionSet() };
    const keyword = this.next();
    if (keyword.kind !== 'name' || (keyword.value !== 'query' && keyword.value !== 'mutation'))
      this.fail(keyword);
    const name = this.peek().kind === 'name' ? this.expectName() : undefined;
    const variables = this.isPunct('(') ? this.variableDefinitions() : new Map();
    this.refuseDirectives();
    return { operation: keyword.value, name, variables, selections: this.selectionSet() };
  }

  private variableDefinitions(): Map<string, { type: string; defaultValue?: ValueNode }> {
    const variables = new Map<string, { type: string; defaultValue?: ValueNode }>();
    this.expectPunct('(');
    while (!this.isPunct(')')) {
      this.expectPunct('$');
      const name = this.expectName();
      this.expectPunct(':');
      const type = this.type();
      if (this.isPunct('=')) {
        this.next();
        variables.set(name, { type, defaultValue: this.value(true) });
      } else {
        variables.set(name, { type });
      }
    }
    this.expectPunct(')');
    return variables;
  }

  private type(): string {
    let type: string;
    if (this.isPunct('[')) {
      this.next();
      type = `[${this.type()}]`;
      this.expectPunct(']');
    } else {
      type = this.expectName();
    }
    if (this.isPunct('!')) {
      this.next();
      type += '!';
    }
    return type;
  }

  private refuseDirectives(): void {
    if (this.isPunct('@'))
      throw new GraphqlSyntaxError('Directives are not supported by this emulator', this.peek().location);
  }

  private selectionSet(): FieldNode[] {
    this.expectPunct('{');
    const fields: FieldNode[] = [];
    while (!this.isPunct('}')) fields.push(this.field());
    this.expectPunct('}');
    if (fields.length === 0) this.fail(this.tokens[this.at - 1]!);
    return fields;
  }

  private field(): FieldNode {
    const location = this.peek().location;
    const first = this.expectName();
    let alias: string | undefined;
    let name = first;
    if (this.isPunct(':')) {
      this.next();
      alias = first;
      name = this.expectName();
    }
    const args = new Map<string, ValueNode>();
    if (this.isPunct('(')) {
      this.next();
      while (!this.isPunct(')')) {
        const argument = this.expectName();
        this.expectPunct(':');
        args.set(argument, this.value(false));
      }
      this.expectPunct(')');
    }
    this.refuseDirectives();
    const selections = this.isPunct('{') ? this.selectionSet() : undefined;
    return { alias, name, arguments: args, selections, location };
  }

  private value(constant: boolean): ValueNode {
    const token = this.next();
    switch (token.kind) {
      case 'int':
      case 'float':
      case 'string':
        return { kind: token.kind, value: token.value };
      case 'name':
        if (token.value === 'true' || token.value === 'false')
          return { kind: 'boolean', value: token.value === 'true' };
        if (token.value === 'null') return { kind: 'null' };
        return { kind: 'enum', value: token.value };
      case 'punct':
        if (token.value === '$' && !constant) return { kind: 'variable', name: this.expectName() };
        if (token.value === '[') {
          const values: ValueNode[] = [];
          while (!this.isPunct(']')) values.push(this.value(constant));
          this.next();
          return { kind: 'list', values };
        }
        if (token.value === '{') {
          const fields = new Map<string, ValueNode>();
          while (!this.isPunct('}')) {
            const name = this.expectName();
            this.expectPunct(':');
            fields.set(name, this.value(constant));
          }
          this.next();
          return { kind: 'object', fields };
        }
        return this.fail(token);
      default:
        return this.fail(token);
    }
  }
}

export function parseOperation(source: string): OperationNode {
  return new Parser(tokenize(source)).document();
}
