// prisma/schema.prisma and prisma/migrations must describe the same database: the Prisma client
// is generated from the one, production is built from the other. Prisma's own check (`migrate
// diff`) needs its migration engine, which cannot be downloaded here, so this test applies the
// migrations to a scratch database, reads the catalog back and compares it with schema.prisma.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { migrate, type Database } from '../../src/db/index.js';
import { createTestDatabase, openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { parsePrismaSchema, type PrismaModel, type PrismaScalarField, type PrismaSchema } from '../support/prisma-schema-parser.js';

const SCHEMA_PRISMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/schema.prisma');
// Written by src/db/migrate.ts (and by Prisma's engine where it exists); not part of the model.
const BOOKKEEPING_TABLES = new Set(['_prisma_migrations']);
const FIX = 'Add a migration under prisma/migrations (or correct prisma/schema.prisma) so that the two agree.';

interface Queryable {
  query<R extends object>(sql: string): Promise<{ rows: R[] }>;
}

interface DbColumn {
  table: string;
  column: string;
  nullable: boolean;
  udt: string;
  precision: number | null;
  maxLength: number | null;
  default: string | null;
}
interface DbIndex {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
  desc: boolean[];
}
interface DbForeignKey {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface DbCatalog {
  tables: string[];
  columns: DbColumn[];
  enums: Map<string, string[]>;
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

// pg_constraint.confdeltype / confupdtype codes, named as Prisma names referential actions.
const ACTIONS: Record<string, string> = { a: 'NoAction', r: 'Restrict', c: 'Cascade', n: 'SetNull', d: 'SetDefault' };

/** Reads what the migrations built, in the schema the connection uses. */
async function introspect(db: Queryable): Promise<DbCatalog> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const columns = await db.query<DbColumn>(`
    SELECT table_name::text AS table, column_name::text AS column, is_nullable = 'YES' AS nullable, udt_name::text AS udt,
           datetime_precision AS precision, character_maximum_length AS "maxLength", column_default AS default
    FROM information_schema.columns WHERE table_schema = current_schema()`);
  const enums = await db.query<{ name: string; values: string[] }>(`
    SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema() GROUP BY t.typname`);
  const indexes = await db.query<DbIndex>(`
    SELECT t.relname::text AS table, i.relname::text AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
      ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
      ARRAY(SELECT (k.o & 1) = 1 FROM unnest(ix.indoption::int2[]) WITH ORDINALITY k(o, n) ORDER BY k.n) AS desc
    FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()`);
  const foreignKeys = await db.query<DbForeignKey>(`
    SELECT t.relname::text AS table, c.conname::text AS name, r.relname::text AS "refTable",
      c.confdeltype::text AS "onDelete", c.confupdtype::text AS "onUpdate",
      ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
      ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS "refColumns"
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`);
  return {
    tables: tables.rows.map((r) => r.name),
    columns: columns.rows,
    enums: new Map(enums.rows.map((r) => [r.name, r.values])),
    indexes: indexes.rows,
    foreignKeys: foreignKeys.rows.map((f) => ({ ...f, onDelete: ACTIONS[f.onDelete] ?? f.onDelete, onUpdate: ACTIONS[f.onUpdate] ?? f.onUpdate })),
  };
}

interface ExpectedType {
  udt: string;
  precision?: number;
  maxLength?: number;
}

// Column types of Prisma's PostgreSQL connector: per scalar type without @db, per native type with it.
const SCALAR_UDT: Record<string, string> = {
  String: 'text', Int: 'int4', BigInt: 'int8', Float: 'float8', Decimal: 'numeric', Boolean: 'bool', DateTime: 'timestamp', Json: 'jsonb', Bytes: 'bytea',
};
const NATIVE_UDT: Record<string, string> = {
  Uuid: 'uuid', Text: 'text', VarChar: 'varchar', Char: 'bpchar', Citext: 'citext', Inet: 'inet', Xml: 'xml', Bit: 'bit', VarBit: 'varbit',
  SmallInt: 'int2', Integer: 'int4', Oid: 'oid', BigInt: 'int8', Real: 'float4', DoublePrecision: 'float8', Decimal: 'numeric', Money: 'money',
  Boolean: 'bool', Json: 'json', JsonB: 'jsonb', ByteA: 'bytea', Timestamp: 'timestamp', Timestamptz: 'timestamptz', Date: 'date', Time: 'time', Timetz: 'timetz',
};
const TIME_TYPES = new Set(['Timestamp', 'Timestamptz', 'Time', 'Timetz']);

/** The column type Prisma creates for a scalar field. */
function expectedType(field: PrismaScalarField, enums: Map<string, string[]>): ExpectedType {
  if (field.type === 'Unsupported') return { udt: field.unsupported!.replace(/\(.*$/, '') };
  const arrayOf = (t: ExpectedType): ExpectedType => (field.list ? { udt: `_${t.udt}` } : t);
  if (enums.has(field.type)) return arrayOf({ udt: field.type });
  const [native, arg] = /^(\w+)(?:\((\d+)\))?$/.exec(field.nativeType ?? '')?.slice(1) ?? [];
  const n = arg === undefined ? undefined : Number(arg);
  if (native === undefined) {
    // Prisma's plain DateTime is timestamp(3).
    return arrayOf(field.type === 'DateTime' ? { udt: 'timestamp', precision: 3 } : { udt: SCALAR_UDT[field.type] ?? `<${field.type}>` });
  }
  const udt = NATIVE_UDT[native] ?? `<@db.${native}>`;
  if (TIME_TYPES.has(native)) return arrayOf({ udt, precision: n ?? 6 });
  if (native === 'VarChar') return arrayOf(n === undefined ? { udt } : { udt, maxLength: n });
  if (native === 'Char') return arrayOf({ udt, maxLength: n ?? 1 });
  return arrayOf({ udt });
}

/** What the column default must be, or undefined when Prisma puts none in the database. */
function expectedDefault(field: PrismaScalarField): ((dbDefault: string) => boolean) | undefined {
  const d = field.default;
  if (d === undefined) return undefined;
  if (d === 'autoincrement()') return (db) => db.startsWith('nextval(');
  if (d === 'now()') return (db) => db === 'CURRENT_TIMESTAMP' || db === 'now()';
  if (d.startsWith('dbgenerated(')) return () => true;
  // An empty list: PostgreSQL shows the migration's '{}' (or Prisma's own ARRAY[]) with its cast.
  if (d === '[]') return (db) => stripCasts(db) === '{}' || /^ARRAY\[\]/.test(db);
  // uuid(), cuid(), nanoid(), ulid() are generated by the client; the column has no default.
  if (/^\w+\(.*\)$/.test(d)) return undefined;
  const literal = d.startsWith('"') ? d.slice(1, -1).replace(/\\"/g, '"') : d;
  return (db) => stripCasts(db) === literal;
}

/** `'{}'::jsonb` → `{}`, `'OPEN'::"EnrollmentStatus"` → `OPEN`, `0` → `0`. */
function stripCasts(value: string): string {
  const bare = value.replace(/(::[\w" ]+(\[\])?)+$/, '');
  return bare.startsWith("'") && bare.endsWith("'") ? bare.slice(1, -1).replace(/''/g, "'") : bare;
}

/** Every way the database differs from schema.prisma, each naming the model and field. */
function compare(schema: PrismaSchema, db: DbCatalog): string[] {
  const problems: string[] = [];
  const modelTables = new Set(schema.models.map((m) => m.table));
  for (const table of db.tables) {
    if (!modelTables.has(table) && !BOOKKEEPING_TABLES.has(table)) problems.push(`table "${table}" exists in the migrations but no model in schema.prisma maps to it`);
  }
  for (const [name, values] of schema.enums) {
    const actual = db.enums.get(name);
    if (actual === undefined) problems.push(`enum ${name}: no such type in the migrations`);
    else if ([...values].sort().join() !== [...actual].sort().join()) problems.push(`enum ${name}: schema.prisma has [${values}], the migrations have [${actual}]`);
  }
  for (const name of db.enums.keys()) if (!schema.enums.has(name)) problems.push(`enum type "${name}" exists in the migrations but not in schema.prisma`);

  for (const model of schema.models) {
    if (!db.tables.includes(model.table)) {
      problems.push(`model ${model.name}: no table "${model.table}" in the migrations`);
      continue;
    }
    const columns = db.columns.filter((c) => c.table === model.table);
    for (const field of model.fields) {
      const where = `${model.name}.${field.name}`;
      const col = columns.find((c) => c.column === field.column);
      if (col === undefined) {
        problems.push(`${where}: no column "${field.column}" in table "${model.table}"`);
        continue;
      }
      const want = expectedType(field, schema.enums);
      if (col.udt !== want.udt) problems.push(`${where}: schema.prisma means a ${want.udt} column, the migrations make ${col.udt}`);
      else if (want.precision !== undefined && col.precision !== want.precision) problems.push(`${where}: precision ${want.precision} expected, the migrations have ${col.precision}`);
      else if (want.maxLength !== undefined && col.maxLength !== want.maxLength) problems.push(`${where}: length ${want.maxLength} expected, the migrations have ${col.maxLength}`);
      // Prisma creates list columns without NOT NULL although a list field cannot be optional.
      if (!field.list && col.nullable !== field.optional) problems.push(`${where}: schema.prisma says ${field.optional ? 'optional' : 'required'}, the column is ${col.nullable ? 'NULL' : 'NOT NULL'}`);
      const def = expectedDefault(field);
      if (def === undefined && col.default !== null) problems.push(`${where}: the column has DEFAULT ${col.default}, schema.prisma declares no database default`);
      if (def !== undefined && (col.default === null || !def(col.default))) problems.push(`${where}: schema.prisma has @default(${field.default}), the column has ${col.default === null ? 'no default' : `DEFAULT ${col.default}`}`);
    }
    for (const col of columns) {
      if (!model.fields.some((f) => f.column === col.column)) problems.push(`${model.name}: column "${col.column}" exists in the migrations but not in schema.prisma`);
    }

    const indexes = db.indexes.filter((i) => i.table === model.table);
    for (const want of model.indexes) {
      const label = `${model.name} @@${want.kind}([${want.columns.map((c) => c.column + (c.desc ? ' desc' : '')).join(', ')}])`;
      const sameColumns = (i: DbIndex) => i.columns.join() === want.columns.map((c) => c.column).join();
      // Prisma shortens names longer than PostgreSQL allows; such an index is found by its columns.
      const got = indexes.find((i) => i.name === want.name) ?? (want.nameIsExact ? undefined : indexes.find(sameColumns));
      if (got === undefined) {
        problems.push(`${label}: no index "${want.name}" in the migrations`);
        continue;
      }
      if (!sameColumns(got) || got.desc.join() !== want.columns.map((c) => c.desc).join()) {
        problems.push(`${label}: index "${got.name}" covers (${got.columns.map((c, k) => c + (got.desc[k] ? ' DESC' : '')).join(', ')})`);
      }
      if (got.primary !== (want.kind === 'id') || got.unique !== (want.kind !== 'index')) {
        problems.push(`${label}: index "${got.name}" is ${got.primary ? 'the primary key' : got.unique ? 'unique' : 'not unique'}`);
      }
    }

    const fks = db.foreignKeys.filter((f) => f.table === model.table);
    for (const rel of model.relations) {
      const label = `${model.name} relation (${rel.columns.join(', ')}) → ${rel.target}`;
      const got = fks.find((f) => f.columns.join() === rel.columns.join());
      const target = schema.models.find((m) => m.name === rel.target);
      if (got === undefined) problems.push(`${label}: no foreign key in the migrations`);
      else if (got.refTable !== target?.table || got.refColumns.join() !== rel.references.join()) problems.push(`${label}: the foreign key "${got.name}" references ${got.refTable}(${got.refColumns})`);
      else if (got.onDelete !== rel.onDelete || got.onUpdate !== rel.onUpdate) {
        problems.push(`${label}: schema.prisma has onDelete: ${rel.onDelete}, onUpdate: ${rel.onUpdate}; the foreign key "${got.name}" has ON DELETE ${got.onDelete}, ON UPDATE ${got.onUpdate}`);
      }
    }
    for (const fk of fks) {
      if (!model.relations.some((r) => r.columns.join() === fk.columns.join())) problems.push(`${model.name}: foreign key "${fk.name}" (${fk.columns}) exists in the migrations but no relation in schema.prisma declares it`);
    }
  }
  return problems;
}

function report(problems: string[]): string {
  return `prisma/schema.prisma and prisma/migrations disagree:\n  - ${problems.join('\n  - ')}\n${FIX}`;
}

let testDb: TestDatabase;
let db: Database;
let schemaText: string;
before(async () => {
  testDb = await createTestDatabase();
  db = await openTestDatabase(testDb);
  // createTestDatabase migrates an external database; an embedded one is migrated here (idempotent).
  await migrate(db.pool);
  schemaText = await readFile(SCHEMA_PRISMA, 'utf8');
});
after(async () => {
  await db?.close();
  await testDb?.drop();
});

describe('prisma/migrations against prisma/schema.prisma', () => {
  it('builds exactly the tables, columns, enums, indexes and foreign keys the schema declares', async () => {
    const schema = parsePrismaSchema(schemaText);
    assert.ok(schema.models.length > 0 && schema.models.every((m) => m.fields.length > 0), 'schema.prisma parsed to no models; the parser is broken');
    const problems = compare(schema, await introspect(db.pool));
    assert.deepEqual(problems, [], report(problems));
  });
});

// The comparison must catch each kind of drift. Each case edits a copy of the parsed schema (or,
// inside a rolled-back transaction, the database) so it holds for whatever the schema declares.
describe('the drift check', () => {
  type Edit = { what: string; edit: (s: PrismaSchema) => void; expect: RegExp };
  const first = (s: PrismaSchema, pick: (m: PrismaModel) => boolean) => {
    const model = s.models.find(pick);
    assert.ok(model, 'schema.prisma has no model for this case');
    return model;
  };
  const edits: Edit[] = [
    { what: 'a field without a column', expect: /^\w+\.driftProbe: no column "driftProbe".*/, edit: (s) => first(s, () => true).fields.push({ name: 'driftProbe', column: 'driftProbe', type: 'String', optional: false, list: false, updatedAt: false }) },
    { what: 'a column without a field', expect: /^\w+: column "\w+" exists in the migrations but not in schema\.prisma$/, edit: (s) => void first(s, (m) => m.fields.length > 1).fields.pop() },
    { what: 'another type', expect: /^\w+\.\w+: schema\.prisma means a bool column, the migrations make \w+$/, edit: (s) => Object.assign(first(s, (m) => m.fields.some((f) => f.type !== 'Boolean')).fields.find((f) => f.type !== 'Boolean')!, { type: 'Boolean', nativeType: undefined }) },
    { what: 'other nullability', expect: /^\w+\.\w+: schema\.prisma says optional, the column is NOT NULL$/, edit: (s) => { first(s, () => true).fields.find((f) => !f.optional)!.optional = true; } },
    { what: 'a default the column lacks', expect: /^\w+\.\w+: schema\.prisma has @default\("drift"\), the column has no default$/, edit: (s) => { first(s, (m) => m.fields.some((f) => f.default === undefined && f.type === 'String')).fields.find((f) => f.default === undefined && f.type === 'String')!.default = '"drift"'; } },
    { what: 'a model without a table', expect: /^model DriftProbe: no table "DriftProbe" in the migrations$/, edit: (s) => void s.models.push({ name: 'DriftProbe', table: 'DriftProbe', fields: [], relations: [], indexes: [] }) },
    { what: 'an enum value', expect: /^enum \w+: schema\.prisma has \[.*DRIFT\], the migrations have/, edit: (s) => void [...s.enums.values()][0]!.push('DRIFT') },
    { what: 'an undeclared index', expect: /@@index\(\[\w+\]\): no index "\w+_\w+_idx" in the migrations$/, edit: (s) => { const m = first(s, (x) => x.fields.length > 1); m.indexes.push({ kind: 'index', columns: [{ column: m.fields[1]!.column, desc: false }], name: `${m.table}_${m.fields[1]!.column}_idx`, nameIsExact: true }); } },
    { what: 'another sort order', expect: /@@index\(.*\): index "\w+" covers \(/, edit: (s) => { const i = first(s, (m) => m.indexes.some((x) => x.kind === 'index')).indexes.find((x) => x.kind === 'index')!; i.columns = i.columns.map((c) => ({ ...c, desc: !c.desc })); } },
    { what: 'a unique index that is not unique', expect: /@@unique\(.*\): index "\w+" is not unique$/, edit: (s) => { first(s, (m) => m.indexes.some((x) => x.kind === 'index')).indexes.find((x) => x.kind === 'index')!.kind = 'unique'; } },
    { what: 'another onDelete', expect: /^\w+ relation \(\w+\) → \w+: schema\.prisma has onDelete: (NoAction|Cascade), .* has ON DELETE/, edit: (s) => { const r = first(s, (m) => m.relations.length > 0).relations[0]!; r.onDelete = r.onDelete === 'NoAction' ? 'Cascade' : 'NoAction'; } },
    { what: 'a foreign key without a relation', expect: /^\w+: foreign key "\w+" \(\w+\) exists in the migrations but no relation/, edit: (s) => void first(s, (m) => m.relations.length > 0).relations.shift() },
  ];
  for (const { what, edit, expect } of edits) {
    it(`reports ${what}`, async () => {
      const schema = parsePrismaSchema(schemaText);
      edit(schema);
      const problems = compare(schema, await introspect(db.pool));
      assert.ok(problems.some((p) => expect.test(p)), `expected a problem like ${expect}, got:\n${problems.join('\n')}`);
      assert.match(report(problems), /Add a migration under prisma\/migrations/);
    });
  }

  it('reports a table no model maps to', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TABLE "DriftProbe" (x integer)');
      const problems = compare(parsePrismaSchema(schemaText), await introspect(client));
      assert.ok(problems.includes('table "DriftProbe" exists in the migrations but no model in schema.prisma maps to it'), problems.join('\n'));
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('the schema.prisma reader', () => {
  it('uses database names: @@map, @map, map: and Prisma default constraint names', () => {
    const s = parsePrismaSchema(`
      enum Colour {
        RED @map("red") // a comment
        BLUE
      }
      model Owner {
        id   Int @id(map: "owner_pk") @default(autoincrement())
        @@map("owners")
      }
      model Pet {
        id      String   @id @default(uuid()) @db.Uuid
        ownerId Int      @map("owner_id")
        url     String   @default("http://x//y") // not a comment inside the string
        colour  Colour?
        tags    String[]
        born    DateTime @db.Timestamptz(3)
        owner   Owner    @relation(fields: [ownerId], references: [id])
        @@unique([ownerId, url])
        @@index([born(sort: Desc)], map: "pet_born")
      }`);
    assert.deepEqual(s.enums.get('Colour'), ['red', 'BLUE']);
    const [owner, pet] = s.models;
    assert.equal(owner!.table, 'owners');
    assert.deepEqual(owner!.indexes.map((i) => i.name), ['owner_pk']);
    assert.deepEqual(pet!.fields.map((f) => f.column), ['id', 'owner_id', 'url', 'colour', 'tags', 'born']);
    assert.equal(pet!.fields[2]!.default, '"http://x//y"');
    assert.deepEqual([pet!.fields[3]!.optional, pet!.fields[4]!.list, pet!.fields[5]!.nativeType], [true, true, 'Timestamptz(3)']);
    assert.deepEqual(pet!.indexes.map((i) => [i.kind, i.name, i.columns.map((c) => c.column + (c.desc ? '-' : '+')).join()]), [
      ['id', 'Pet_pkey', 'id+'],
      ['unique', 'Pet_owner_id_url_key', 'owner_id+,url+'],
      ['index', 'pet_born', 'born-'],
    ]);
    assert.deepEqual(pet!.relations, [{ columns: ['owner_id'], references: ['id'], target: 'Owner', onDelete: 'Restrict', onUpdate: 'Cascade' }]);
  });

  it('does not claim an exact name for a default name beyond 63 bytes', () => {
    const long = 'x'.repeat(40);
    const s = parsePrismaSchema(`model M {\n id Int @id\n ${long}a Int\n ${long}b Int\n @@index([${long}a, ${long}b])\n}`);
    assert.equal(s.models[0]!.indexes[1]!.nameIsExact, false);
  });
});
