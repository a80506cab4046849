/**
 * A small reader of schema.prisma, enough to check that prisma/migrations builds the same
 * database: models, enums, scalar and relation fields, keys and indexes, with the database names
 * Prisma would use (@map/@@map and its default constraint names). It is not a validator: a schema
 * Prisma itself rejects may parse here.
 */

export interface PrismaIndexColumn {
  column: string;
  desc: boolean;
}

export interface PrismaIndex {
  kind: 'id' | 'unique' | 'index';
  columns: PrismaIndexColumn[];
  /** The database name: `map:` when given, else Prisma's default (`Model_a_b_idx`, `_key`, `_pkey`). */
  name: string;
  /** False when the default name would exceed PostgreSQL's 63 bytes (Prisma shortens it then). */
  nameIsExact: boolean;
}

export interface PrismaRelation {
  /** Database columns on this side, the target's referenced columns, and the target model. */
  columns: string[];
  references: string[];
  target: string;
  onDelete: string;
  onUpdate: string;
}

export interface PrismaScalarField {
  name: string;
  column: string;
  /** `String`, `Int`, ..., an enum name, or `Unsupported` (see `unsupported`). */
  type: string;
  unsupported?: string;
  optional: boolean;
  list: boolean;
  /** The `@db.X(args)` native type, e.g. `Uuid` or `Timestamptz(3)`. */
  nativeType?: string;
  /** The raw argument of `@default(...)`, e.g. `now()`, `"{}"`, `OPEN`. */
  default?: string;
  updatedAt: boolean;
}

export interface PrismaModel {
  name: string;
  table: string;
  fields: PrismaScalarField[];
  relations: PrismaRelation[];
  indexes: PrismaIndex[];
}

export interface PrismaSchema {
  models: PrismaModel[];
  enums: Map<string, string[]>;
}

export const POSTGRES_MAX_IDENTIFIER = 63;

/** Prisma's default constraint name on PostgreSQL: `{table}_{columns}_{suffix}`, `{table}_pkey` for a key. */
export function defaultConstraintName(table: string, columns: string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  return suffix === 'pkey' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`;
}

/** Drops `//` comments (doc comments too), leaving `//` inside string literals alone. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** Splits on `sep` at bracket depth 0, outside strings. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

interface Attribute {
  name: string;
  /** Positional arguments in order; named ones under their key. */
  positional: string[];
  named: Map<string, string>;
  raw: string;
}

/**
 * Reads `@name(args)` / `@@name(args)` attributes from the rest of a line. Arguments may hold
 * spaces (`@@index([a, b])`), so the line is split only at spaces outside brackets and strings.
 */
function parseAttributes(text: string): Attribute[] {
  return splitTopLevel(text, ' ')
    .filter((token) => token.startsWith('@'))
    .map((token) => {
      const open = token.indexOf('(');
      const name = (open < 0 ? token : token.slice(0, open)).replace(/^@+/, '');
      const raw = open < 0 ? '' : token.slice(open + 1, token.lastIndexOf(')'));
      const positional: string[] = [];
      const named = new Map<string, string>();
      for (const arg of splitTopLevel(raw, ',')) {
        const m = /^(\w+)\s*:\s*([\s\S]*)$/.exec(arg);
        if (m && !arg.startsWith('"')) named.set(m[1]!, m[2]!.trim());
        else positional.push(arg);
      }
      return { name, positional, named, raw };
    });
}

/** `"x"` → `x`. */
function unquote(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.replace(/^"([\s\S]*)"$/, '$1');
}

/** `[a, b(sort: Desc)]` → field names with their sort order. */
function parseFieldList(value: string | undefined): Array<{ field: string; desc: boolean }> {
  if (value === undefined) return [];
  return splitTopLevel(value.replace(/^\[([\s\S]*)\]$/, '$1'), ',').map((item) => ({
    field: item.replace(/\(.*$/, '').trim(),
    desc: /sort\s*:\s*Desc/.test(item),
  }));
}

/** `model X { ... }` and friends, with comments and blank lines dropped. */
function parseBlocks(text: string): Array<{ keyword: string; name: string; lines: string[] }> {
  const blocks: Array<{ keyword: string; name: string; lines: string[] }> = [];
  let current: { keyword: string; name: string; lines: string[] } | undefined;
  for (const rawLine of text.split('\n')) {
    const line = stripComment(rawLine).trim();
    if (line === '') continue;
    const head = /^(model|enum|view|type|generator|datasource)\s+(\w+)\s*\{$/.exec(line);
    if (head) current = { keyword: head[1]!, name: head[2]!, lines: [] };
    else if (line === '}') {
      if (current) blocks.push(current);
      current = undefined;
    } else current?.lines.push(line);
  }
  return blocks;
}

export function parsePrismaSchema(text: string): PrismaSchema {
  const blocks = parseBlocks(text);
  const enums = new Map<string, string[]>();
  for (const b of blocks.filter((b) => b.keyword === 'enum')) {
    // A value's database label is its @map when it has one.
    const values = b.lines.filter((l) => !l.startsWith('@@')).map((l) => unquote(parseAttributes(l).find((a) => a.name === 'map')?.positional[0]) ?? l.split(/\s+/)[0]!);
    enums.set(b.name, values);
  }
  const modelBlocks = blocks.filter((b) => b.keyword === 'model');
  const tableOf = new Map(
    modelBlocks.map((b) => {
      const map = b.lines.filter((l) => l.startsWith('@@map')).flatMap(parseAttributes)[0];
      return [b.name, unquote(map?.positional[0]) ?? b.name];
    }),
  );
  const models = modelBlocks.map((b) => parseModel(b.name, tableOf.get(b.name)!, b.lines, tableOf, enums));
  // A relation's referenced fields are named in the target model; translate them to its columns.
  for (const model of models) {
    for (const rel of model.relations) {
      const target = models.find((m) => m.name === rel.target);
      rel.references = rel.references.map((f) => target?.fields.find((x) => x.name === f)?.column ?? f);
    }
  }
  return { models, enums };
}

function parseModel(
  name: string,
  table: string,
  lines: string[],
  tableOf: Map<string, string>,
  enums: Map<string, string[]>,
): PrismaModel {
  const fields: PrismaScalarField[] = [];
  const relations: PrismaRelation[] = [];
  const indexes: PrismaIndex[] = [];
  const pending: Array<{ kind: PrismaIndex['kind']; fields: Array<{ field: string; desc: boolean }>; map?: string }> = [];
  const relationFields: Array<{ target: string; optional: boolean; attr: Attribute }> = [];

  for (const line of lines) {
    if (line.startsWith('@@')) {
      for (const attr of parseAttributes(line)) {
        const kind = attr.name === 'id' ? 'id' : attr.name === 'unique' ? 'unique' : attr.name === 'index' ? 'index' : undefined;
        if (kind) pending.push({ kind, fields: parseFieldList(attr.named.get('fields') ?? attr.positional[0]), map: unquote(attr.named.get('map')) });
      }
      continue;
    }
    const m = /^(\w+)\s+(Unsupported\("[^"]*"\)|\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!m) throw new Error(`schema.prisma: cannot read the line "${line}" of model ${name}`);
    const [fieldName, rawType, list, optional, rest] = [m[1]!, m[2]!, m[3], m[4], m[5] ?? ''];
    const attrs = parseAttributes(rest);
    const attr = (n: string) => attrs.find((a) => a.name === n);
    if (tableOf.has(rawType)) {
      const relation = attr('relation');
      if (!list && relation?.named.has('fields')) relationFields.push({ target: rawType, optional: optional === '?', attr: relation });
      continue;
    }
    const column = unquote(attr('map')?.positional[0]) ?? fieldName;
    const native = attrs.find((a) => a.name.startsWith('db.'));
    const unsupported = /^Unsupported\("([^"]*)"\)$/.exec(rawType)?.[1];
    fields.push({
      name: fieldName,
      column,
      type: unsupported === undefined ? rawType : 'Unsupported',
      ...(unsupported === undefined ? {} : { unsupported }),
      optional: optional === '?',
      list: list === '[]',
      ...(native ? { nativeType: native.name.slice(3) + (native.raw === '' ? '' : `(${native.raw})`) } : {}),
      ...(attr('default') ? { default: attr('default')!.raw.trim() } : {}),
      updatedAt: attr('updatedAt') !== undefined,
    });
    if (attr('id')) pending.push({ kind: 'id', fields: [{ field: fieldName, desc: false }], map: unquote(attr('id')!.named.get('map')) });
    if (attr('unique')) pending.push({ kind: 'unique', fields: [{ field: fieldName, desc: false }], map: unquote(attr('unique')!.named.get('map')) });
    if (!enums.has(rawType) && !isScalarType(rawType) && unsupported === undefined) {
      throw new Error(`schema.prisma: field ${name}.${fieldName} has the unknown type ${rawType}`);
    }
  }

  const columnOf = (field: string) => fields.find((f) => f.name === field)?.column ?? field;
  for (const p of pending) {
    const columns = p.fields.map((f) => ({ column: columnOf(f.field), desc: f.desc }));
    const suffix = p.kind === 'id' ? 'pkey' : p.kind === 'unique' ? 'key' : 'idx';
    const name = p.map ?? defaultConstraintName(table, columns.map((c) => c.column), suffix);
    indexes.push({ kind: p.kind, columns, name, nameIsExact: Buffer.byteLength(name) <= POSTGRES_MAX_IDENTIFIER });
  }
  for (const r of relationFields) {
    relations.push({
      columns: parseFieldList(r.attr.named.get('fields')).map((f) => columnOf(f.field)),
      references: parseFieldList(r.attr.named.get('references')).map((f) => f.field),
      target: r.target,
      // Prisma's referential-action defaults: Restrict for a required relation, SetNull for an optional one.
      onDelete: r.attr.named.get('onDelete') ?? (r.optional ? 'SetNull' : 'Restrict'),
      onUpdate: r.attr.named.get('onUpdate') ?? 'Cascade',
    });
  }
  return { name, table, fields, relations, indexes };
}

const SCALAR_TYPES = new Set(['String', 'Int', 'BigInt', 'Float', 'Decimal', 'Boolean', 'DateTime', 'Json', 'Bytes']);

function isScalarType(type: string): boolean {
  return SCALAR_TYPES.has(type);
}
