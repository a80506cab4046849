import { GraphQLError, visit, type DocumentNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { badInput, type AppError } from '../errors.js';
import { UploadedFile } from '../domain/uploaded-file.js';

/**
 * Refuses a NUL character in any string of a request, variables or literals, before a resolver
 * runs: PostgreSQL cannot store one in text or jsonb and would fail the write deep inside a use
 * case as an internal error. One check here covers every string field, present and future.
 */
export function inputGuardPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const problem = nulInVariables(request.variables) ?? nulInLiterals(document);
          if (problem) throw asRequestError(problem);
        },
      };
    },
  };
}

const NUL = '\u0000';

function nulError(field: string): AppError {
  return badInput(field, `"${field}" contains a NUL character (\\u0000), which cannot be stored; remove it.`);
}

/** Walks the variables without recursion, so a value nested thousands deep cannot overflow the stack. */
function nulInVariables(variables: Record<string, unknown> | undefined): AppError | undefined {
  const stack: [unknown, string][] = Object.entries(variables ?? {}).map(([k, v]) => [v, k]);
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) return nulError(path);
    } else if (value instanceof UploadedFile) {
      // Its bytes are an image, not text: walking them would visit every byte.
      if (value.filename?.includes(NUL)) return nulError(`${path}.filename`);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k.includes(NUL)) return nulError(path);
        stack.push([v, `${path}.${k}`]);
      }
    }
  }
  return undefined;
}

function nulInLiterals(document: DocumentNode): AppError | undefined {
  let found: AppError | undefined;
  visit(document, {
    Argument(node) {
      if (found) return false;
      visit(node.value, {
        StringValue(s) {
          if (!found && s.value.includes(NUL)) found = nulError(node.name.value);
        },
      });
      return false;
    },
  });
  return found;
}

/** An AppError raised outside resolvers, as Apollo needs it: a GraphQLError with an HTTP status. */
export function asRequestError(err: AppError, status = 400): GraphQLError {
  return new GraphQLError(err.message, { originalError: err, extensions: { code: err.code, http: { status } } });
}
