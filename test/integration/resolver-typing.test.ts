// Nexus typegen makes resolvers type-checked: this compiles small resolver files with the project's
// own tsconfig, beside the committed nexus-typegen.ts, and expects the wrong ones to fail the way
// `npm run typecheck` would. The correct one must compile, so the test cannot pass by accident.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE_DIR = path.join(ROOT, 'src/graphql/types');

const header = "import { extendType, objectType } from 'nexus';\n";
const PROBES = {
  correct: `${header}export const P = extendType({ type: 'Query', definition(t) {
    t.field('probe', { type: 'Tenant', resolve: (_root, _args, ctx) => ctx.services.tenants.viewerTenant(ctx.viewer) });
  } });`,
  missingMethod: `${header}export const P = extendType({ type: 'Query', definition(t) {
    t.field('probe', { type: 'Tenant', resolve: (_root, _args, ctx) => ctx.services.tenants.doesNotExist(ctx.viewer) });
  } });`,
  wrongArgument: `${header}export const P = extendType({ type: 'Query', definition(t) {
    t.field('probe', { type: 'Tenant', resolve: (_root, _args, ctx) => ctx.services.tenants.viewerTenant(42) });
  } });`,
  wrongShape: `${header}export const P = extendType({ type: 'Query', definition(t) {
    t.nonNull.field('person', { type: 'Person', resolve: () => ({ id: 1, displayName: 'x' }) });
  } });`,
  wrongRoot: `${header}export const P = objectType({ name: 'Probe', definition(t) {
    t.nonNull.string('x', { resolve: (root: { nope: string }) => root.nope });
  } });
  export const Q = extendType({ type: 'Person', definition(t) {
    t.nonNull.string('probe', { resolve: (person) => person.notAField });
  } });`,
} as const;
type ProbeName = keyof typeof PROBES;

/** Errors per probe file, from one program over the real sources plus the in-memory probes. */
function compileProbes(): Map<ProbeName, string[]> {
  const configFile = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  const files = new Map<string, ProbeName>(Object.keys(PROBES).map((name) => [path.join(PROBE_DIR, `__probe-${name}.ts`), name as ProbeName]));
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const name = files.get(path.resolve(fileName));
    return name ? ts.createSourceFile(fileName, PROBES[name], languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => files.has(path.resolve(fileName)) || fileExists(fileName);
  // The typegen file declares the global NexusGen types; schema.ts pulls in context and services.
  const roots = [...files.keys(), path.join(ROOT, 'src/graphql/nexus-typegen.ts'), path.join(ROOT, 'src/graphql/schema.ts')];
  const program = ts.createProgram(roots, parsed.options, host);
  const result = new Map<ProbeName, string[]>();
  for (const [file, name] of files) {
    const diagnostics = program.getSemanticDiagnostics(program.getSourceFile(file));
    result.set(name, diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
  }
  return result;
}

describe('typed resolvers (Nexus typegen)', () => {
  let errors: Map<ProbeName, string[]>;
  before(() => {
    errors = compileProbes();
  });

  it('a resolver that calls an existing service method with the right argument compiles', () => {
    assert.deepEqual(errors.get('correct'), []);
  });

  it('a resolver that calls a missing service method fails typecheck', () => {
    assert.match(errors.get('missingMethod')!.join('\n'), /TS2339: Property 'doesNotExist' does not exist/);
  });

  it('a resolver that passes a wrong argument fails typecheck', () => {
    assert.match(errors.get('wrongArgument')!.join('\n'), /TS2345: Argument of type 'number' is not assignable/);
  });

  it('a resolver that returns a wrong shape fails typecheck', () => {
    assert.match(errors.get('wrongShape')!.join('\n'), /TS2322: Type 'number' is not assignable to type 'MaybePromise<string>'/);
  });

  it("a field resolver reads its parent's source record, not any", () => {
    assert.match(errors.get('wrongRoot')!.join('\n'), /notAField/);
  });
});
