import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, specifiedRules, validate, Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../../src/graphql/schema.js';
import { queryLimitRules } from '../../src/limits/query-limits.js';
import { countPipelineCalls } from '../../src/limits/pipeline-calls-plugin.js';
import { createAdmission } from '../../src/limits/admission.js';
import { createRequestLoaders } from '../../src/loaders/request-loaders.js';
import { checkVoteOverride, DEFAULT_POLICY, maySeeUnknownCandidates } from '../../src/tenants/index.js';
import { decodeCursor, isFaceId } from '../../src/db/index.js';
import { escapeLike } from '../../src/db/person-repository.js';
import { isAppError } from '../../src/errors.js';

const LIMITS = { maxDepth: 12, maxAliases: 20, maxDirectives: 20, maxCost: 5000 };

function doubling(levels: number, leaf: string): string {
  const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${defs.join(' ')} fragment F${levels} on Query { ${leaf} }`;
}

describe('query limits', () => {
  const schema = buildSchema();
  const check = (query: string) => validate(schema, parse(query), [...specifiedRules, ...queryLimitRules(LIMITS)]);

  it('measures 40 levels of doubly spread fragments (2^40 spreads) by visiting each fragment once', () => {
    const errors = check(doubling(40, 'viewer { role }'));
    assert.deepEqual(errors.map((e) => e.extensions.code), ['QUERY_TOO_COMPLEX']);
    assert.match(errors[0]!.message, /estimated cost/);
  });

  it('passes an ordinary query, and names the limit it breaks', () => {
    assert.deepEqual(check('{ people(first: 20) { edges { node { id displayName } } } }'), []);
    const aliases = check(`{ ${Array.from({ length: 21 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`);
    assert.match(aliases[0]!.message, /21 aliases; the limit is 20/);
    const deep = validate(schema, parse('{ viewer { tenant { settings { model } } } }'), queryLimitRules({ ...LIMITS, maxDepth: 2 }));
    assert.equal(deep[0]!.extensions.code, 'QUERY_TOO_DEEP');
    assert.match(deep[0]!.message, /3 levels deep; the limit is 2/);
  });

  it('counts pipeline mutations through fragments, each fragment once', () => {
    const doc = parse(`mutation { ...A ...A identify(input: $i) { eventIds } } fragment A on Mutation { ...B ...B } fragment B on Mutation { enrollFaces(input: $e) { results { accepted } } createPerson(input: $p) { id } }`);
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
    assert.equal(countPipelineCalls(op.selectionSet, fragments), 5);
  });
});

describe('vote policy', () => {
  const tenant = { k1: 1, k2: 3, threshold: 1.05 };
  const forbidden = (fn: () => void, field: string) =>
    assert.throws(fn, (err: unknown) => isAppError(err) && err.code === 'FORBIDDEN' && err.details.field === field);

  it('lets CLIENT keys override nothing by default, OPERATOR keys only lower the threshold, ADMIN keys anything', () => {
    forbidden(() => checkVoteOverride('CLIENT', DEFAULT_POLICY, tenant, { threshold: 2 }), 'threshold');
    forbidden(() => checkVoteOverride('CLIENT', DEFAULT_POLICY, tenant, { threshold: 0.5 }), 'threshold');
    checkVoteOverride('CLIENT', DEFAULT_POLICY, tenant, { threshold: 1.05, k1: null });
    checkVoteOverride('OPERATOR', DEFAULT_POLICY, tenant, { threshold: 0.5 });
    forbidden(() => checkVoteOverride('OPERATOR', DEFAULT_POLICY, tenant, { threshold: 1.2 }), 'threshold');
    forbidden(() => checkVoteOverride('OPERATOR', DEFAULT_POLICY, tenant, { k2: 5 }), 'k2');
    checkVoteOverride('ADMIN', DEFAULT_POLICY, tenant, { threshold: 2, k1: 3, k2: 9 });
    checkVoteOverride('CLIENT', { ...DEFAULT_POLICY, clientVoteOverride: 'ANY' }, tenant, { threshold: 2 });
  });

  it('hides UNKNOWN candidates from CLIENT keys unless the tenant allows them', () => {
    assert.equal(maySeeUnknownCandidates('CLIENT', DEFAULT_POLICY), false);
    assert.equal(maySeeUnknownCandidates('CLIENT', { ...DEFAULT_POLICY, clientSeesUnknownCandidates: true }), true);
    assert.equal(maySeeUnknownCandidates('OPERATOR', DEFAULT_POLICY), true);
  });
});

describe('admission queue', () => {
  const busy = (err: unknown) => isAppError(err) && err.code === 'SERVER_BUSY' && Number(err.details.retryAfterMs) >= 1000;

  it('runs a bounded number at once, queues a bounded number, and refuses the rest at once', async () => {
    const admission = createAdmission({ concurrency: 1, maxWaiting: 1, maxWaitMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = admission.run(() => gate.then(() => 'first'));
    const waiting = admission.run(async () => 'second');
    await assert.rejects(admission.run(async () => 'third'), busy);
    assert.deepEqual(admission.stats(), { running: 1, waiting: 1 });
    release();
    assert.deepEqual(await Promise.all([running, waiting]), ['first', 'second']);
  });

  it('refuses a task that waited longer than allowed, and never starts it', async () => {
    const admission = createAdmission({ concurrency: 1, maxWaiting: 5, maxWaitMs: 20 });
    let release!: () => void;
    const running = admission.run(() => new Promise<void>((r) => (release = r)));
    let started = false;
    await assert.rejects(admission.run(async () => (started = true)), busy);
    release();
    await running;
    assert.equal(started, false);
  });
});

describe('request loaders', () => {
  it('batches per tenant: one people query and one faces query per tenant for a whole page', async () => {
    const calls: string[] = [];
    const repos = {
      people: { byIds: async (tenantId: string, ids: readonly string[]) => (calls.push(`people ${tenantId} ${ids.length}`), ids.map((id) => ({ id, tenantId }) as never)) },
      enrollment: { facesOfPeople: async (tenantId: string, ids: readonly string[]) => (calls.push(`faces ${tenantId} ${ids.length}`), ids.map((personId, i) => ({ id: String(i + 1), personId }) as never)) },
    } as unknown as Parameters<typeof createRequestLoaders>[0];
    const loaders = createRequestLoaders(repos);
    const ids = Array.from({ length: 100 }, (_, i) => `p${i % 10}`);
    const people = await Promise.all(ids.map((id) => loaders.person('t1', id)));
    const faces = await Promise.all(ids.map((id) => loaders.facesOfPerson('t1', id)));
    await loaders.person('t2', 'p0');
    assert.deepEqual(calls, ['people t1 10', 'faces t1 10', 'people t2 1']);
    assert.equal((people[13] as { id: string }).id, 'p3');
    assert.equal(faces[13]![0]!.personId, 'p3');
  });
});

describe('inputs that must not reach SQL', () => {
  it('escapes LIKE wildcards, bounds face ids to bigint and refuses forged cursors', () => {
    assert.equal(escapeLike('100%_\\'), '100\\%\\_\\\\');
    assert.equal(isFaceId('9223372036854775807'), true);
    assert.equal(isFaceId('9999999999999999999'), false);
    for (const forged of [['2020-01-01T00:00:00Z', 'nope'], ['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'], { a: 1 }]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      assert.throws(() => decodeCursor(cursor), (err: unknown) => isAppError(err) && err.code === 'BAD_USER_INPUT' && err.details.field === 'after');
    }
  });
});
