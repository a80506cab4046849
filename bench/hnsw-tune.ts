/**
 * npm run bench:hnsw-tune -- [--size 100000] [--m 32,16] [--efc 100,64,40] [--ef 256,128,64,32] [--queries 200] [--threshold 1.0]
 *                             [--storage flat|fp16|sq8]
 *
 * Chooses HNSW parameters: on one clustered face-shaped gallery (bench/support/synthetic-faces.ts),
 * exact results from flat search once, then for every (M, efConstruction) an HNSW build as the
 * server runs it (a child process on all cores) and, for every efSearch, search p50 (k = 10),
 * recall@10 and voter recall@10 (the exact neighbours within --threshold). Build CPU seconds (all
 * the child's threads) are the figure to compare across loads; a line per combination, then JSON.
 */
import { parseArgs } from 'node:util';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { TenantIndex, DEFAULT_TENANT_INDEX_OPTIONS, type TenantIndexOptions } from '../src/gallery/index.js';
import { buildHnswInChild } from '../src/gallery/hnsw-build.js';
import { SyntheticGallery } from './support/synthetic-faces.js';
import { recall, searchAll } from './support/search-recall.js';
import { HNSW_STORAGES } from '../src/config/hnsw-storage.js';
import { parseOneOf } from '../src/config/parsers.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    m: { type: 'string', default: '32,16' },
    efc: { type: 'string', default: '100,64,40' },
    ef: { type: 'string', default: '256,128,64,32' },
    queries: { type: 'string', default: '200' },
    threshold: { type: 'string', default: '1.0' },
    storage: { type: 'string', default: 'flat' },
  },
});
const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const threshold = Number(args.threshold);

const g = new SyntheticGallery(Number(args.size), 'clustered');
const qs = g.queries(Number(args.queries));
const flat = new TenantIndex('flat', 0n, { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 1e12 });
for await (const batch of g.batches(20_000)) await flat.add(batch);
const exact = searchAll(flat, qs, threshold);

const rows: { m: number; efc: number; ef: number; buildS: number; buildCpuS: number; recall: number; voterRecall: number; p50Ms: number }[] = [];
for (const m of list(args.m)) {
  for (const efc of list(args.efc)) {
    const options: TenantIndexOptions = { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 1, hnsw: { m, efConstruction: efc, efSearch: 16, storage: parseOneOf(args.storage, HNSW_STORAGES, 'flat') } };
    const file = path.join(tmpdir(), `visage-tune-${randomUUID()}.faiss`);
    const t = performance.now();
    const built = (await buildHnswInChild(g.batches(5000), file, 0n, options, () => undefined))!;
    const buildS = round((performance.now() - t) / 1000, 1);
    await rm(file);
    for (const ef of list(args.ef)) {
      built.index.setEfSearch(ef);
      const approx = searchAll(built.index, qs, threshold);
      const row = { m, efc, ef, buildS, buildCpuS: round(built.cpuMs / 1000, 1), recall: recall(exact.results, approx.results), voterRecall: recall(exact.voters, approx.results), p50Ms: approx.p50 };
      rows.push(row);
      console.log(`M ${m} efc ${efc} ef ${ef}: build ${row.buildS} s (${row.buildCpuS} s CPU), recall@10 ${row.recall}, voter ${row.voterRecall}, p50 ${row.p50Ms} ms, load ${loadavg()[0]!.toFixed(1)}`);
    }
  }
}
console.log(JSON.stringify({ size: Number(args.size), storage: args.storage, rows, loadAvg: loadavg().map((x) => round(x, 1)) }));
