/**
 * The filter language of Inspect View (filtrex's syntax), parsed and compiled to closures here rather than
 * by filtrex itself: filtrex compiles an expression into a JavaScript function with `new
 * Function`, which the app's Content-Security-Policy forbids (no 'unsafe-eval' in a page that
 * renders model output), and the interpreting alternatives read JavaScript's syntax, not this one.
 *
 *   expression := or
 *   or         := and ("or" and)*
 *   and        := not ("and" not)*
 *   not        := "not" not | comparison
 *   comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "~=") sum | "not"? "in" list)?
 *   sum        := product (("+" | "-") product)*
 *   product    := unary (("*" | "/" | "mod") unary)*
 *   unary      := "-" unary | atom
 *   atom       := number | "string" | name | 'quoted name' | name "(" args ")" | "(" expression ")"
 *   list       := "(" expression ("," expression)* ")"
 */

export type Value = number | string | boolean | null;

export type Node =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'call'; readonly name: string; readonly args: ReadonlyArray<Node> }
  | { readonly kind: 'not'; readonly operand: Node }
  | { readonly kind: 'negate'; readonly operand: Node }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node }
  | {
      readonly kind: 'in';
      readonly negated: boolean;
      readonly item: Node;
      readonly list: ReadonlyArray<Node>;
    };

/** A malformed expression, with where it went wrong. */
export class FilterSyntaxError extends Error {}

/** Nesting deeper than this is refused (a typed filter never comes close; a pasted one might). */
const MAX_DEPTH = 64;

interface Token {
  readonly type: 'number' | 'string' | 'symbol' | 'word' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '~=', '<', '>', '+', '-', '*', '/', '(', ')', ','];
const WORD_OPERATORS = new Set(['and', 'or', 'not', 'in', 'mod']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(at));
    if (number) {
      tokens.push({ type: 'number', text: number[0], at });
      at += number[0].length;
      continue;
    }
    if (char === '"' || char === "'") {
      let end = at + 1;
      let text = '';
      while (end < source.length && source[end] !== char) {
        // `\"` and `\\` escape; any other backslash stays (a regular expression's `\d`).
        const escaped = source[end + 1];
        if (source[end] === '\\' && (escaped === char || escaped === '\\')) end += 1;
        text += source[end];
        end += 1;
      }
      if (end >= source.length) throw new FilterSyntaxError(`unclosed quote at ${at + 1}`);
      tokens.push({ type: char === '"' ? 'string' : 'symbol', text, at });
      at = end + 1;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(source.slice(at));
    if (word) {
      tokens.push({ type: WORD_OPERATORS.has(word[0]) ? 'op' : 'word', text: word[0], at });
      at += word[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, at));
    if (!operator) throw new FilterSyntaxError(`unexpected "${char}" at ${at + 1}`);
    tokens.push({ type: 'op', text: operator, at });
    at += operator.length;
  }
  tokens.push({ type: 'end', text: '', at });
  return tokens;
}

/** Parse an expression into a tree, or throw a FilterSyntaxError saying where it is wrong. */
export function parseFilter(source: string): Node {
  const tokens = tokenize(source);
  let position = 0;
  let depth = 0;
  const peek = (): Token => tokens[position]!;
  const next = (): Token => tokens[position++]!;
  const isOp = (text: string): boolean => peek().type === 'op' && peek().text === text;
  const expect = (text: string): void => {
    if (!isOp(text)) throw unexpected(`"${text}"`);
    position += 1;
  };
  const unexpected = (wanted: string): FilterSyntaxError => {
    const token = peek();
    const found = token.type === 'end' ? 'the end' : `"${token.text}"`;
    return new FilterSyntaxError(`expected ${wanted} at ${token.at + 1}, found ${found}`);
  };
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_DEPTH) throw new FilterSyntaxError('the expression is nested too deeply');
    try {
      return parse();
    } finally {
      depth -= 1;
    }
  };
  const binary = (operators: ReadonlyArray<string>, operand: () => Node) => (): Node => {
    let left = operand();
    while (peek().type === 'op' && operators.includes(peek().text)) {
      const op = next().text;
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  };
  const atom = (): Node =>
    nested((): Node => {
      const token = next();
      switch (token.type) {
        case 'number':
          return { kind: 'literal', value: Number(token.text) };
        case 'string':
          return { kind: 'literal', value: token.text };
        case 'symbol':
          return { kind: 'name', name: token.text };
        case 'word': {
          if (token.text === 'true' || token.text === 'false')
            return { kind: 'literal', value: token.text === 'true' };
          if (token.text === 'null') return { kind: 'literal', value: null };
          if (!isOp('(')) return { kind: 'name', name: token.text };
          position += 1;
          const args: Node[] = [];
          if (!isOp(')')) {
            args.push(or());
            while (isOp(',')) {
              position += 1;
              args.push(or());
            }
          }
          expect(')');
          return { kind: 'call', name: token.text, args };
        }
        case 'op':
          if (token.text === '(') {
            const inner = or();
            expect(')');
            return inner;
          }
      }
      position -= 1;
      throw unexpected('a value');
    });
  const unary = (): Node => {
    if (isOp('-')) {
      position += 1;
      return nested(() => ({ kind: 'negate', operand: unary() }));
    }
    return atom();
  };
  const product = binary(['*', '/', 'mod'], unary);
  const sum = binary(['+', '-'], product);
  const comparison = (): Node => {
    const left = sum();
    const negated = isOp('not') && tokens[position + 1]?.text === 'in';
    if (negated) position += 1;
    if (isOp('in')) {
      position += 1;
      expect('(');
      const list = [or()];
      while (isOp(',')) {
        position += 1;
        list.push(or());
      }
      expect(')');
      return { kind: 'in', negated, item: left, list };
    }
    for (const op of ['==', '!=', '<=', '>=', '~=', '<', '>']) {
      if (isOp(op)) {
        position += 1;
        return { kind: 'binary', op, left, right: sum() };
      }
    }
    return left;
  };
  const not = (): Node => {
    if (isOp('not')) {
      position += 1;
      return nested(() => ({ kind: 'not', operand: not() }));
    }
    return comparison();
  };
  const and = binary(['and'], not);
  const or = binary(['or'], and);
  const tree = or();
  if (peek().type !== 'end') throw unexpected('an operator or the end');
  return tree;
}

/**
 * The names (data) and the functions an expression uses, and the literal text patterns it
 * matches with (`~=` and `x_contains`), to check before any row is filtered.
 */
export function namesUsed(node: Node): {
  names: Set<string>;
  functions: Set<string>;
  patterns: Set<string>;
} {
  const names = new Set<string>();
  const functions = new Set<string>();
  const patterns = new Set<string>();
  const pattern = (item: Node | undefined): void => {
    if (item?.kind === 'literal' && typeof item.value === 'string') patterns.add(item.value);
  };
  const visit = (item: Node): void => {
    switch (item.kind) {
      case 'name':
        names.add(item.name);
        return;
      case 'call':
        functions.add(item.name);
        if (item.name.endsWith('_contains')) pattern(item.args[0]);
        item.args.forEach(visit);
        return;
      case 'not':
      case 'negate':
        visit(item.operand);
        return;
      case 'binary':
        if (item.op === '~=') pattern(item.right);
        visit(item.left);
        visit(item.right);
        return;
      case 'in':
        visit(item.item);
        item.list.forEach(visit);
        return;
      case 'literal':
        return;
    }
  };
  visit(node);
  return { names, functions, patterns };
}

/** An expression compiled for rows of type `R`: its value for one row. */
export type Compiled<R> = (row: R) => Value;

/** How an expression's names and functions read a row, resolved once per expression. */
export interface Bindings<R> {
  name(name: string): Compiled<R>;
  call(name: string, args: ReadonlyArray<Compiled<R>>): Compiled<R>;
}

/**
 * Compile an expression once into a function of a row: no tree walked and nothing allocated per
 * row (interpreting the tree per row cost a keystroke 25-50 ms at 100,000 samples). Comparisons
 * of unlike types are false (a score that is missing is never `> 0.5`), arithmetic on non-numbers
 * is null: a filter never throws on a row.
 */
export function compile<R>(node: Node, bindings: Bindings<R>): Compiled<R> {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'name':
      return bindings.name(node.name);
    case 'call':
      return bindings.call(
        node.name,
        node.args.map((arg) => compile(arg, bindings)),
      );
    case 'not': {
      const operand = compile(node.operand, bindings);
      return (row) => !truthy(operand(row));
    }
    case 'negate': {
      const operand = compile(node.operand, bindings);
      return (row) => {
        const value = operand(row);
        return typeof value === 'number' ? -value : null;
      };
    }
    case 'in': {
      const item = compile(node.item, bindings);
      const list = node.list.map((entry) => compile(entry, bindings));
      const negated = node.negated;
      return (row) => {
        const value = item(row);
        const found = list.some((entry) => entry(row) === value);
        return negated ? !found : found;
      };
    }
    case 'binary': {
      const left = compile(node.left, bindings);
      const right = compile(node.right, bindings);
      const op = node.op;
      if (op === 'and') return (row) => truthy(left(row)) && truthy(right(row));
      if (op === 'or') return (row) => truthy(left(row)) || truthy(right(row));
      return (row) => binaryValue(op, left(row), right(row));
    }
  }
}

function binaryValue(op: string, left: Value, right: Value): Value {
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '~=':
      return typeof left === 'string' && typeof right === 'string' && regex(right).test(left);
  }
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    const comparable =
      (typeof left === 'number' && typeof right === 'number') ||
      (typeof left === 'string' && typeof right === 'string');
    if (!comparable) return false;
    if (op === '<') return left < right;
    if (op === '<=') return left <= right;
    if (op === '>') return left > right;
    return left >= right;
  }
  if (typeof left !== 'number' || typeof right !== 'number') return null;
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return right === 0 ? null : left / right;
    case 'mod':
      return right === 0 ? null : ((left % right) + right) % right;
  }
  return null;
}

export function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== 0 && value !== '';
}

const regexes = new Map<string, RegExp>();

/** A case-insensitive regular expression, compiled once per pattern. */
export function regex(pattern: string): RegExp {
  let compiled = regexes.get(pattern);
  if (!compiled) {
    compiled = new RegExp(pattern, 'i');
    regexes.set(pattern, compiled);
  }
  return compiled;
}
