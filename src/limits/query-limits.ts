import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
}

/**
 * graphql-armor's rules, each of which visits a fragment once however often it is spread, so a
 * document of fragments spreading each other twice is measured in linear time (the hand-written
 * depth rule they replace walked a fragment once per spread: 2^n). They report through
 * `context.reportError` with our codes instead of throwing their generic "Syntax Error".
 */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const report = (code: 'QUERY_TOO_DEEP' | 'QUERY_TOO_COMPLEX', message: (found: string) => string) => ({
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (context: ValidationContext | null, err: GraphQLError) => {
        const found = /found (\d+(?:\.\d+)?(?:e\+\d+)?)/.exec(err.message)?.[1] ?? 'more';
        context?.reportError(new GraphQLError(message(found), { extensions: { code } }));
      },
    ],
  });
  return [
    // graphql-armor counts the leaf field as a level; VISAGE_MAX_QUERY_DEPTH counts nested
    // selection sets (as the rule it replaces did), hence the +1 and -1.
    maxDepthRule({
      n: limits.maxDepth + 1,
      flattenFragments: true,
      ...report('QUERY_TOO_DEEP', (found) => `The query is ${Number(found) - 1 || found} levels deep; the limit is ${limits.maxDepth}. Split it into smaller queries.`),
    }),
    maxAliasesRule({
      n: limits.maxAliases,
      ...report('QUERY_TOO_COMPLEX', (found) => `The query uses ${found} aliases; the limit is ${limits.maxAliases}. Send several requests instead.`),
    }),
    maxDirectivesRule({
      n: limits.maxDirectives,
      ...report('QUERY_TOO_COMPLEX', (found) => `The query uses ${found} directives; the limit is ${limits.maxDirectives}.`),
    }),
    costLimitRule({
      maxCost: limits.maxCost,
      flattenFragments: true,
      ...report(
        'QUERY_TOO_COMPLEX',
        (found) => `The query's estimated cost is ${Math.round(Number(found)) || found}; the limit is ${limits.maxCost}. Ask for smaller pages (first) or fewer nested fields.`,
      ),
    }),
  ];
}
