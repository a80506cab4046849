import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDatabaseUnreachable } from '../db/index.js';
import { serviceUnavailable } from '../outage/database-outage.js';

/**
 * The single place that turns errors into what a client sees: an AppError keeps its code and
 * message; a database that cannot be reached is SERVICE_UNAVAILABLE; anything unexpected is logged and becomes INTERNAL_SERVER_ERROR with its message hidden.
 */
export function createFormatError(logger: Logger, options: { hideSuggestions?: boolean; onDatabaseUnreachable?: (err: unknown) => void } = {}) {
  const onDatabaseUnreachable = options.onDatabaseUnreachable ?? (() => undefined);
  // Apollo's hideSchemaDetailsFromClientErrors covers validation; variable coercion still says
  // 'Did you mean the enum value "ADMIN"?', which maps the schema for a caller who may not introspect it.
  const clean = (message: string) => (options.hideSuggestions ? message.replace(/ ?Did you mean [^?]*\?/g, '') : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    let original = unwrapResolverError(error);
    // The one mapping of "database unreachable" (pg or Prisma) to a code a client can act on.
    if (!isAppError(original) && isDatabaseUnreachable(original)) {
      onDatabaseUnreachable(original);
      original = serviceUnavailable('The database is unreachable, so this operation cannot run now; retry in a few seconds.');
    }
    if (isAppError(original)) {
      return { ...formatted, message: original.message, extensions: { ...original.details, code: original.code } };
    }
    // An AppError raised before execution (a request plugin) arrives wrapped once more.
    if (original instanceof GraphQLError && isAppError(original.originalError)) {
      const app = original.originalError;
      return { message: app.message, locations: formatted.locations, extensions: { ...app.details, code: app.code } };
    }
    // graphql-js and Apollo raise GraphQLErrors for malformed requests (parse, validation,
    // variable coercion); those messages are written for clients, so their codes pass through.
    // Apollo re-wraps validation errors as GRAPHQL_VALIDATION_FAILED; a rule of ours that chose a
    // more specific code (QUERY_TOO_DEEP) keeps it.
    const inner = original instanceof GraphQLError && original.originalError instanceof GraphQLError ? original.originalError : undefined;
    const code = inner?.extensions.code ?? formatted.extensions?.code;
    if (original instanceof GraphQLError && typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const field = code === 'BAD_USER_INPUT' ? variableField(formatted.message) : undefined;
      return { message: clean(formatted.message), locations: formatted.locations, path: formatted.path, extensions: { code, ...(field ? { field } : {}) } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * The input field a variable coercion error is about, from graphql-js's message
 * (`Variable "$input" got invalid value … at "input.from"; …`), so a client can tell which field
 * to fix as it can for the errors our use cases raise.
 */
function variableField(message: string): string | undefined {
  const match = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value .*? at "([^"]+)";/s.exec(message) ?? /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/.exec(message);
  return match ? (match[2] ?? match[1]) : undefined;
}
