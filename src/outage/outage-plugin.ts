import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DatabaseOutage } from './database-outage.js';

/**
 * Makes an outage visible to clients and to Prometheus:
 * - a response served while the database was unreachable carries `extensions.degraded = true`;
 * - answers whose errors include SERVICE_UNAVAILABLE are counted (their 503 and Retry-After come
 *   from src/graphql/http-status-plugin.ts, like every retryable code's).
 */
export function outagePlugin(outage: DatabaseOutage, registry: Registry, bufferedEvents: () => number): ApolloServerPlugin {
  const registers = [registry];
  const degraded = new Counter({ name: 'visage_degraded_responses_total', help: 'GraphQL responses served while the database was unreachable (extensions.degraded).', registers });
  const unavailable = new Counter({ name: 'visage_service_unavailable_responses_total', help: 'GraphQL responses answered SERVICE_UNAVAILABLE (HTTP 503).', registers });
  const outages = new Counter({ name: 'visage_database_outages_total', help: 'Times this process found the database unreachable.', registers });
  new Gauge({
    name: 'visage_database_unreachable',
    help: '1 while this process considers the database unreachable, else 0.',
    registers,
    collect() {
      this.set(outage.degraded() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'visage_event_buffer_events',
    help: 'Recognition events in the local buffer, waiting to be written to the database.',
    registers,
    collect() {
      this.set(bufferedEvents());
    },
  });
  outage.onChange((state) => {
    if (state.kind === 'unreachable') outages.inc();
  });

  return {
    async requestDidStart() {
      const startedDegraded = outage.degraded();
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
            unavailable.inc();
          }
          if (startedDegraded || outage.degraded()) {
            degraded.inc();
            result.extensions = { ...result.extensions, degraded: true };
          }
        },
      };
    },
  };
}
