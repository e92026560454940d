import { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';

const logger = new Logger('GraphQL');

/** One log line per GraphQL request: operation, duration and outcome (ok or the error codes). */
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
          logger.log(`${operationName ?? '(anonymous)'} ${durationMs} ms ${outcome}`);
          return Promise.resolve();
        },
      });
    },
  };
}
