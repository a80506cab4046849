import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics.js';

/** Counts and times every GraphQL operation by name and outcome. */
export function graphqlMetricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName }) {
          const body = response.body;
          const failed = body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) > 0 : false;
          metrics.observeGraphQL(operationName, failed ? 'error' : 'ok', Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
