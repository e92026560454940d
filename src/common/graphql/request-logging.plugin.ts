import { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';

const logger = new Logger('GraphQL');

/**
 * One log line per GraphQL request: operation, duration and outcome (ok or the error codes). A
 * request that ends in errors is logged at warn; real faults are also logged, with their stack, by
 * formatGraphqlError.
 */
export function requestLoggingPlugin(): ApolloServerPlugin {
  return {
    requestDidStart() {
      const started = performance.now();
      return Promise.resolve({
        willSendResponse({ operationName, response }) {
          const body = response.body;
          const errors = body.kind === 'single' ? (body.singleResult.errors ?? []) : [];
          const codes = new Set(
            errors.map((error) => {
              const code = error.extensions?.code;
              return typeof code === 'string' ? code : 'ERROR';
            }),
          );
          const durationMs = Math.round((performance.now() - started) * 10) / 10;
          const outcome = codes.size === 0 ? 'ok' : [...codes].join(',');
          // The logger adds the request id to the line.
          const line = `${operationName ?? '(anonymous)'} ${durationMs} ms ${outcome}`;
          if (codes.size === 0) logger.log(line);
          else logger.warn(line);
          return Promise.resolve();
        },
      });
    },
  };
}
