import { HttpException, Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../errors';
import { currentRequestId } from '../request-context';

const logger = new Logger('GraphQL');

/** Apollo's own codes for requests the client got wrong; they pass through unchanged. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

function domainExtensions(error: DomainError): Record<string, unknown> {
  const code: ErrorCode = error.code;
  switch (code) {
    case 'TOO_MANY_REQUESTS':
      return {
        code,
        retryAfterSeconds: (error as DomainError & { retryAfterSeconds: number }).retryAfterSeconds,
      };
    case 'BAD_USER_INPUT':
    case 'IMPORT_INVALID':
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'QUERY_TOO_COMPLEX':
    case 'LLM_NOT_CONFIGURED':
    case 'LLM_UNAVAILABLE':
    case 'CLIENT_CLOSED_REQUEST':
      return { code };
    case 'DATABASE_UNAVAILABLE':
      return { code, retryable: true };
    default: {
      const unhandled: never = code;
      return { code: unhandled };
    }
  }
}

/** Nest HTTP exceptions (from pipes and guards) by status; anything else is a server fault. */
function httpCode(status: number): string | undefined {
  return {
    400: 'BAD_USER_INPUT',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    429: 'TOO_MANY_REQUESTS',
  }[status];
}

function isClientRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError) return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The one place where errors become GraphQL errors with `extensions.code`. Domain errors keep
 * their message and code; real faults become a generic INTERNAL_SERVER_ERROR, logged with the
 * request id; no stack or SQL reaches the client outside development.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
  exposeDetails: boolean,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // A scalar's parseLiteral error (a bad Date literal) is wrapped in a validation error.
  const cause =
    original instanceof GraphQLError && original.originalError ? original.originalError : original;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };

  if (cause instanceof DomainError) {
    return { ...base, message: cause.message, extensions: domainExtensions(cause) };
  }
  if (cause instanceof HttpException && httpCode(cause.getStatus())) {
    return { ...base, message: cause.message, extensions: { code: httpCode(cause.getStatus()) } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    return { ...base, extensions: { code } };
  }
  // Apollo's own refusals of a malformed request (an automatic persisted query whose hash does not
  // match, say) carry an HTTP 4xx status but no code: the client's mistake, not a fault.
  if (isClientRefusal(original)) {
    return { ...base, extensions: { code: 'BAD_REQUEST' } };
  }
  logger.error(
    `Internal error (request ${currentRequestId() ?? 'none'}): ${cause instanceof Error ? cause.message : String(cause)}`,
    cause instanceof Error ? cause.stack : undefined,
  );
  return {
    ...base,
    message: exposeDetails && cause instanceof Error ? cause.message : 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
