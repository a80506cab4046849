import { arg, subscriptionField } from 'nexus';
import type { RecognitionEventRecord } from '../../db/index.js';

export const RecognitionEventAdded = subscriptionField('recognitionEventAdded', {
  type: 'RecognitionEvent',
  description: 'Each new recognition event of the caller’s tenant, written by any replica (VIEWER and above). Served over GraphQL over SSE at /graphql/stream.',
  args: { filter: arg({ type: 'RecognitionEventFilter', description: 'personId, decision and source apply; from and to are ignored.' }) },
  subscribe: (_r, { filter }, ctx) => ctx.services.live.subscribe(ctx.viewer, filter, ctx.signal),
  resolve: (event: RecognitionEventRecord) => event,
});

export const liveEventTypes = [RecognitionEventAdded];
