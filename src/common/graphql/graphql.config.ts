import type { IncomingMessage } from 'node:http';
import { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { Context } from 'graphql-ws';
import { GraphQLError, OperationTypeNode, parse, ValidationContext, ValidationRule } from 'graphql';
import { AppConfig } from '../../config/app-config.service';
import { clip } from '../text';
import { TooManyRequestsError } from '../errors';
import { formatGraphqlError } from './format-error';
import { closedLandingPagePlugin, landingPagePlugin } from './landing-page';
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
  rootCosts: {
    oee: 10,
    scrap: 10,
    qualityIssues: 10,
    downtime: 10,
    losses: 10,
    comparison: 10,
    shiftReport: 20,
    alerts: 10,
    alertDeliveries: 10,
    setup: 10,
    chat: 10,
  },
  fieldCosts: {
    byMachine: 5,
    byShift: 5,
    byType: 5,
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

/** Subscriptions are parsed by graphql-ws, not Apollo: their documents are bounded by length. */
const MAX_SUBSCRIPTION_DOCUMENT = 10_000;

/**
 * Refuses, as the client's mistake, operations this HTTP endpoint cannot run: a type the schema lacks
 * (graphql-js 16 would only fail while executing it, as an internal error), and subscriptions, which
 * are served over WebSocket (graphql-ws). These rules are Apollo's, so they apply to HTTP only.
 */
export const knownOperationTypes: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: [node] }),
      );
    } else if (node.operation === OperationTypeNode.SUBSCRIPTION) {
      context.reportError(
        new GraphQLError(
          'Subscriptions are served over WebSocket with the graphql-ws protocol at ws://<host>/graphql, not over HTTP.',
          { nodes: [node] },
        ),
      );
    }
  },
});

/** Decides whether a new graphql-ws connection may open; throws TooManyRequestsError to refuse it. */
export type ConnectionAdmission = (client: {
  req: IncomingMessage;
  connectionParams?: Record<string, unknown>;
}) => Promise<void>;

/** The WebSocket close code of a connection over the rate limit. */
const CLOSE_TOO_MANY_REQUESTS = 4429;

/**
 * Apollo Server settings: Sandbox and introspection per GRAPHQL_SANDBOX, error mapping, plugins,
 * and subscriptions over graphql-ws, whose connections `admit` lets in.
 */
export function graphqlOptions(
  config: AppConfig,
  admit: ConnectionAdmission,
): Omit<ApolloDriverConfig, 'driver'> {
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
    // HTTP requests bring req and res; a subscription (graphql-ws) its connection's upgrade request
    // and connection_init payload.
    context: (ctx: {
      req?: unknown;
      res?: unknown;
      extra?: { request: unknown };
      connectionParams?: Record<string, unknown>;
    }) =>
      ctx.extra
        ? { req: ctx.extra.request, connectionParams: ctx.connectionParams }
        : { req: ctx.req, res: ctx.res },
    // Subscriptions over the graphql-ws protocol, on the same path (ws://host/graphql).
    subscriptions: {
      'graphql-ws': {
        // A refusal closes the connection with a code and the reason (the WebSocket close frame
        // carries at most 123 bytes of it).
        onConnect: async (ctx: Context) => {
          // graphql-ws's `ws` adapter: the upgrade request and the socket.
          const { request, socket } = ctx.extra as {
            request: IncomingMessage;
            socket: { close(code: number, reason: string): void };
          };
          try {
            await admit({ req: request, connectionParams: ctx.connectionParams });
            return true;
          } catch (error) {
            if (!(error instanceof TooManyRequestsError)) throw error;
            socket.close(CLOSE_TOO_MANY_REQUESTS, clip(error.message, 120));
            return false;
          }
        },
        onSubscribe: (_ctx: unknown, _id: string, payload: { query: string }) => {
          if (payload.query.length > MAX_SUBSCRIPTION_DOCUMENT) {
            return [
              new GraphQLError(
                `A subscription document has at most ${MAX_SUBSCRIPTION_DOCUMENT} characters.`,
              ),
            ];
          }
          // A document that does not parse ends this subscription with an error, not the whole
          // connection (graphql-ws would close it as an internal error).
          try {
            parse(payload.query, { maxTokens: MAX_TOKENS });
          } catch (error) {
            return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
          }
          return undefined;
        },
      },
    },
    formatError: (formatted, error) => formatGraphqlError(formatted, error, !config.isProduction),
    // Compact JSON: Apollo's default indents every answer, a third more bytes and time for lists.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      // Apollo's default cache-control plugin hooks every field of every answer (a year of
      // `daily` rows is thousands of fields) for HTTP cache hints this API never gives.
      ApolloServerPluginCacheControlDisabled(),
      queryCostPlugin(QUERY_LIMITS),
      requestLoggingPlugin(),
      sandbox ? landingPagePlugin() : closedLandingPagePlugin(),
    ],
  };
}
