import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, OperationTypeNode, Kind, specifiedRules, validate, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';
import type { Viewer } from '../auth/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import { answerRefusal } from './answer-early.js';
import type { AuthenticateRequest } from './request-auth.js';

// graphql-sse wants an indexable context type; a mapped copy of the interface is one.
type SseContext = { [K in keyof GraphQLContext]: GraphQLContext[K] };

export interface SseRouteDeps {
  schema: GraphQLSchema;
  /** The same check as /graphql's: throttles, request rates and statuses included. */
  authenticateRequest: AuthenticateRequest;
  services: Services;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  validationRules: readonly ValidationRule[];
  logger: Logger;
}

/**
 * POST /graphql/stream: subscriptions over the GraphQL over SSE protocol (graphql-sse, distinct
 * connections mode), with the Bearer key of /graphql checked before the body is read. Queries and
 * mutations stay on /graphql, where Apollo's limits and metrics apply.
 */
export function createSseRoute(deps: SseRouteDeps) {
  const callers = new WeakMap<IncomingMessage, { viewer: Viewer; requestId: string; signal: AbortSignal }>();
  const handler = createHandler<SseContext>({
    schema: deps.schema,
    validate: (schema, document) => {
      const errors = [...validate(schema, document, [...specifiedRules, ...deps.validationRules])];
      const other = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation !== OperationTypeNode.SUBSCRIPTION);
      if (other) errors.push(new GraphQLError('Only subscriptions are served on /graphql/stream; send queries and mutations to POST /graphql.', { extensions: { code: 'BAD_USER_INPUT' } }));
      return errors;
    },
    context: (req) => {
      const caller = callers.get(req.raw)!;
      return { viewer: caller.viewer, services: deps.services, requestId: caller.requestId, signal: caller.signal, loaders: deps.services.loaders() };
    },
    // Errors leave through the same formatter as on /graphql: stable codes, internal details hidden.
    onNext: (_ctx, _req, result) =>
      result.errors ? ({ ...result, errors: result.errors.map((e) => deps.formatError(e.toJSON(), e)) } as unknown as ExecutionResult) : undefined,
  });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    const auth = await deps.authenticateRequest(req, requestId);
    if (auth.kind === 'refused') return answerRefusal(req, res, auth.status, auth.error);
    const viewer = auth.viewer;
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    callers.set(req, { viewer, requestId, signal: aborted.signal });
    try {
      await handler(req, res);
    } catch (err) {
      deps.logger.error({ err, requestId }, 'subscription stream failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
      else res.end();
    }
  };
}
