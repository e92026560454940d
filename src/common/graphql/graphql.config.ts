import { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { AppConfig } from '../../config/app-config.service';
import { formatGraphqlError } from './format-error';
import { queryCostPlugin } from './query-cost.plugin';
import { requestLoggingPlugin } from './request-logging.plugin';

/**
 * Limits on one operation: a whole dashboard page costs under 100; fifty aliased metric queries
 * cost 500.
 */
export const QUERY_LIMITS = {
  // Apollo Sandbox's introspection query is 13 levels deep.
  maxDepth: 15,
  maxCost: 150,
  // Sandbox's introspection defines 3 fragments and about 100 selections; a dashboard page 60.
  maxFragments: 50,
  maxSelections: 1000,
  rootCosts: { oee: 10, scrap: 10, qualityIssues: 10, downtime: 10, setup: 10, chat: 10 },
  fieldCosts: {
    byMachine: 5,
    byShift: 5,
    daily: 5,
    warnings: 5,
    scrapByMachine: 5,
    issues: 5,
    downtimeByReason: 5,
    majorEvents: 5,
  },
};

/**
 * Tokens the parser reads before giving up: Sandbox's introspection query has about 300, the
 * dashboard's largest query about 150. Checked while parsing, so a huge document costs no more than
 * this many tokens' work.
 */
export const MAX_TOKENS = 5000;

/**
 * graphql-js 16 validates `subscription { x }` against a schema without a Subscription type and
 * only fails while executing it (an internal error); this refuses it as the client's mistake.
 */
export const knownOperationTypes: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: [node] }),
      );
    }
  },
});

/** Apollo Server settings: Sandbox and introspection per GRAPHQL_SANDBOX, error mapping, plugins. */
export function graphqlOptions(config: AppConfig): Omit<ApolloDriverConfig, 'driver'> {
  const sandbox = config.graphqlSandbox;
  return {
    autoSchemaFile: true,
    sortSchema: true,
    path: '/graphql',
    // Nest's GraphiQL is replaced by Apollo Sandbox, served by the landing page plugin below.
    graphiql: false,
    introspection: sandbox,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules: [knownOperationTypes],
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    formatError: (formatted, error) => formatGraphqlError(formatted, error, !config.isProduction),
    // Compact JSON: Apollo's default indents every answer, a third more bytes and time for lists.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      // Apollo's default cache-control plugin hooks every field of every answer (a year of
      // `daily` rows is thousands of fields) for HTTP cache hints this API never gives.
      ApolloServerPluginCacheControlDisabled(),
      queryCostPlugin(QUERY_LIMITS),
      requestLoggingPlugin(),
      ...(sandbox
        ? [ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false })]
        : []),
    ],
  };
}
