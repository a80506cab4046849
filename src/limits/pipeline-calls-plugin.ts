import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../graphql/context.js';
import { DEFAULT_POLICY } from '../tenants/index.js';
import { AppError } from '../errors.js';
import { asRequestError } from './input-guard-plugin.js';

/** Mutations that run the face pipeline (decode, detect, embed) or ffmpeg: each costs seconds of CPU. */
export const PIPELINE_MUTATIONS: ReadonlySet<string> = new Set(['identify', 'identifyFrames', 'identifyVideo', 'enrollFaces', 'addEnrollmentImages', 'enrollVideo']);

/**
 * Counts the pipeline mutations at the root of a selection, following fragments; each fragment is
 * counted once and its count reused however often it is spread, so the walk stays linear.
 */
export function countPipelineCalls(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const memo = new Map<string, number>();
  const count = (set: SelectionSetNode, visiting: Set<string>): number => {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += PIPELINE_MUTATIONS.has(s.name.value) ? 1 : 0;
      else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet, visiting);
      else {
        const name = s.name.value;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue;
        if (!memo.has(name)) memo.set(name, count(fragment.selectionSet, new Set([...visiting, name])));
        n += memo.get(name)!;
      }
    }
    return n;
  };
  return count(selectionSet, new Set());
}

/**
 * At most `maxPipelineCallsPerRequest` (a tenant setting, default 1) pipeline mutations per
 * request: 40 `identify` aliases would otherwise run the pipeline 40 times on one request's
 * say-so. Checked once the operation is known and the caller authenticated, before any resolver.
 */
export function pipelineCallsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          const calls = countPipelineCalls(operation.selectionSet, fragments);
          if (calls <= DEFAULT_POLICY.maxPipelineCallsPerRequest) return;
          const { viewer, services } = contextValue;
          const allowed = viewer.kind === 'tenant' ? (await services.tenants.viewerTenant(viewer)).settings.maxPipelineCallsPerRequest : DEFAULT_POLICY.maxPipelineCallsPerRequest;
          if (calls <= allowed) return;
          throw asRequestError(
            new AppError('QUERY_TOO_COMPLEX', `This request runs ${calls} identify, enrollment or video mutations; this tenant allows ${allowed} per request. Send them as separate requests.`, {
              limit: 'maxPipelineCallsPerRequest',
            }),
          );
        },
      };
    },
  };
}
