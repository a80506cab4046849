import { objectType } from 'nexus';
import { encodeCursor, type Page } from '../../db/index.js';

export const PageInfo = objectType({
  name: 'PageInfo',
  definition(t) {
    t.nonNull.boolean('hasNextPage');
    t.string('endCursor');
  },
});

/** Declares `<Node>Connection` and `<Node>Edge` for a node type, as Relay lays them out. */
export function connectionTypes(node: string) {
  return [
    objectType({
      name: `${node}Edge`,
      definition(t) {
        t.nonNull.string('cursor');
        t.nonNull.field('node', { type: node as never });
      },
    }),
    objectType({
      name: `${node}Connection`,
      definition(t) {
        t.nonNull.list.nonNull.field('edges', { type: `${node}Edge` as never });
        t.nonNull.field('pageInfo', { type: 'PageInfo' });
        t.nonNull.int('totalCount');
      },
    }),
  ];
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export function toConnection<T extends { createdAt: Date; id: string }>(page: Page<T>): Connection<T> {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
}

export const DEFAULT_PAGE_SIZE = 20;
