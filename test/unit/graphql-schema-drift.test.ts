// schema.graphql is a committed contract (clients generate code from it). This test emits the
// schema the code builds now, through Nexus' own artifact writer so header, sorting and printing
// are byte-for-byte what `npm run schema:emit` writes, and fails when the committed file differs.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { core } from 'nexus';
import { buildSchema, SCHEMA_FILE, TYPEGEN_FILE, typegenText } from '../../src/graphql/schema.js';

/**
 * Writes the schema to `file` the way makeSchema's `outputs.schema` does. buildSchema has no
 * output-path option, so the artifact writer is driven directly; its config only needs `outputs`.
 */
async function emitSchemaTo(file: string): Promise<string> {
  const writer = new core.TypegenMetadata({ outputs: { schema: file, typegen: null } });
  await writer.generateArtifacts(buildSchema());
  return readFile(file, 'utf8');
}

/** The first line where the two texts part, so the failure says where to look. */
function firstDifference(committed: string, emitted: string): string | undefined {
  if (committed === emitted) return undefined;
  const a = committed.split('\n');
  const b = emitted.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (line: string | undefined) => (line === undefined ? '<end of file>' : JSON.stringify(line));
      return `line ${i + 1}: committed ${show(a[i])}, code emits ${show(b[i])}`;
    }
  }
  return 'the files differ';
}

describe('schema.graphql', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'visage-schema-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('matches what the Nexus code emits now', async () => {
    const emitted = await emitSchemaTo(path.join(dir, 'schema.graphql'));
    const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    assert.ok(emitted.includes('type Query'), 'the emitted schema has no Query type; the emitter itself is broken');
    const diff = firstDifference(committed, emitted);
    assert.equal(
      diff,
      undefined,
      `schema.graphql is out of date with src/graphql (${diff}). Run \`npm run schema:emit\` and commit schema.graphql.`,
    );
  });

  it('src/graphql/nexus-typegen.ts matches what the Nexus code generates now', async () => {
    const generated = await typegenText();
    const committed = await readFile(TYPEGEN_FILE, 'utf8').catch(() => '');
    assert.ok(generated.includes('interface NexusGenFieldTypes'), 'the generated typings have no field types; the generator itself is broken');
    const diff = firstDifference(committed, generated);
    assert.equal(diff, undefined, `nexus-typegen.ts is out of date with src/graphql (${diff}). Run \`npm run schema:emit\` and commit it.`);
  });

  it('names the first differing line when the committed file drifts', () => {
    assert.equal(firstDifference('a\nb\n', 'a\nb\n'), undefined);
    assert.equal(firstDifference('a\nb\n', 'a\nc\n'), 'line 2: committed "b", code emits "c"');
    assert.equal(firstDifference('a\n', 'a\nb'), 'line 2: committed "", code emits "b"');
    assert.equal(firstDifference('a', 'a\nb'), 'line 2: committed <end of file>, code emits "b"');
  });
});
