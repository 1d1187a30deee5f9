/**
 * The parts of Drive's query language (`q`) and partial-response syntax (`fields`) the fake Drive
 * server understands: enough for every expression the target sends, parsed properly so that a
 * malformed expression is refused as Drive refuses it.
 */

/** What a query is evaluated against. */
export interface QueryableFile {
  name: string;
  mimeType: string;
  trashed: boolean;
  parents: string[];
  appProperties: Record<string, string>;
}

type Token =
  | { t: 'str'; v: string }
  | { t: 'word'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: '(' | ')' | '{' | '}' };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new Error('unterminated string');
        const d = q[i]!;
        if (d === '\\') {
          v += q[i + 1] ?? '';
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push({ t: 'str', v });
    } else if ('(){}'.includes(c)) {
      out.push({ t: 'punct', v: c as '(' });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = q.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if (c === '!') throw new Error('unexpected !');
      else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      let v = '';
      while (i < q.length && /[A-Za-z0-9_]/.test(q[i]!)) v += q[i++];
      out.push({ t: 'word', v });
    } else throw new Error(`unexpected character ${c}`);
  }
  return out;
}

type Predicate = (file: QueryableFile) => boolean;

/** Parses a Drive `q` expression into a predicate; throws on anything malformed or unsupported. */
export function parseDriveQuery(q: string): Predicate {
  const tokens = tokenize(q);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const token = tokens[pos++];
    if (!token) throw new Error('unexpected end of query');
    return token;
  };
  const expectWord = (v: string): void => {
    const token = next();
    if (token.t !== 'word' || token.v !== v) throw new Error(`expected ${v}`);
  };
  const expect = (t: Token['t'], v?: string): Token => {
    const token = next();
    if (token.t !== t || (v !== undefined && token.v !== v)) throw new Error(`expected ${v ?? t}`);
    return token;
  };
  const isWord = (v: string): boolean => {
    const token = peek();
    return token?.t === 'word' && token.v === v;
  };

  function orExpr(): Predicate {
    let left = andExpr();
    while (isWord('or')) {
      pos++;
      const a = left;
      const b = andExpr();
      left = (f) => a(f) || b(f);
    }
    return left;
  }
  function andExpr(): Predicate {
    let left = unary();
    while (isWord('and')) {
      pos++;
      const a = left;
      const b = unary();
      left = (f) => a(f) && b(f);
    }
    return left;
  }
  function unary(): Predicate {
    if (isWord('not')) {
      pos++;
      const inner = unary();
      return (f) => !inner(f);
    }
    const token = peek();
    if (token?.t === 'punct' && token.v === '(') {
      pos++;
      const inner = orExpr();
      expect('punct', ')');
      return inner;
    }
    return term();
  }
  function term(): Predicate {
    const first = next();
    if (first.t === 'str') {
      expectWord('in');
      expectWord('parents');
      return (f) => f.parents.includes(first.v);
    }
    if (first.t !== 'word') throw new Error('expected a field');
    const field = first.v;
    if (field === 'appProperties' || field === 'properties') {
      expectWord('has');
      expect('punct', '{');
      expectWord('key');
      expect('op', '=');
      const key = expect('str').v as string;
      expectWord('and');
      expectWord('value');
      expect('op', '=');
      const value = expect('str').v as string;
      expect('punct', '}');
      if (field === 'properties') return () => false;
      return (f) => f.appProperties[key] === value;
    }
    const op = expect('op').v;
    const valueToken = next();
    if (field === 'trashed') {
      if (valueToken.t !== 'word' || (valueToken.v !== 'true' && valueToken.v !== 'false'))
        throw new Error('trashed takes true or false');
      const want = valueToken.v === 'true';
      if (op === '=') return (f) => f.trashed === want;
      if (op === '!=') return (f) => f.trashed !== want;
      throw new Error(`operator ${op} not allowed on trashed`);
    }
    if (field === 'name' || field === 'mimeType') {
      if (valueToken.t !== 'str') throw new Error(`${field} takes a string`);
      const want = valueToken.v;
      if (op === '=') return (f) => f[field] === want;
      if (op === '!=') return (f) => f[field] !== want;
      throw new Error(`operator ${op} not supported on ${field}`);
    }
    throw new Error(`field ${field} is not supported`);
  }

  const predicate = orExpr();
  if (pos !== tokens.length) throw new Error('unexpected text after the query');
  return predicate;
}

/** A `fields` selection: `*`, or field names with nested selections (`files(id,name)`). */
export type FieldSelection = '*' | Map<string, FieldSelection>;

/** Parses Drive's `fields` parameter (`nextPageToken,files(id,name)`). */
export function parseFields(fields: string): FieldSelection {
  let i = 0;
  function list(): Map<string, FieldSelection> {
    const out = new Map<string, FieldSelection>();
    for (;;) {
      let name = '';
      while (i < fields.length && /[A-Za-z0-9_*/]/.test(fields[i]!)) name += fields[i++];
      if (name === '') throw new Error('empty field name');
      let sub: FieldSelection = '*';
      if (fields[i] === '(') {
        i++;
        sub = list();
        if (fields[i] !== ')') throw new Error('expected )');
        i++;
      }
      out.set(name, sub);
      if (fields[i] === ',') {
        i++;
        while (fields[i] === ' ') i++;
        continue;
      }
      return out;
    }
  }
  const trimmed = fields.replace(/\s+/g, '');
  fields = trimmed;
  if (trimmed === '*') return '*';
  const result = list();
  if (i !== fields.length) throw new Error('unexpected text in fields');
  return result;
}

/** Keeps only the selected fields of `value` (arrays are filtered item by item). */
export function applyFields(value: unknown, selection: FieldSelection): unknown {
  if (selection === '*' || selection.has('*')) return value;
  if (Array.isArray(value)) return value.map((item) => applyFields(item, selection));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selection) {
    const v = (value as Record<string, unknown>)[name];
    if (v !== undefined) out[name] = applyFields(v, sub);
  }
  return out;
}
