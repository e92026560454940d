import { IntrinsicException } from '@nestjs/common';

/**
 * Domain errors: each carries a stable code that the GraphQL layer puts in `extensions.code` and the
 * CLI prints. Messages tell the user what to do. The README lists every code.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'IMPORT_INVALID'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'TOO_MANY_REQUESTS'
  | 'QUERY_TOO_COMPLEX'
  | 'LLM_NOT_CONFIGURED'
  | 'LLM_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE'
  | 'CLIENT_CLOSED_REQUEST';

/**
 * Extends Nest's IntrinsicException: expected errors, which Nest's exception handler passes on
 * without logging a stack trace.
 */
export abstract class DomainError extends IntrinsicException {
  abstract readonly code: ErrorCode;
}

/** An argument that is malformed or out of range (a date, a count, a machine name). */
export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  override readonly name = 'BadInputError';
}

/** A data file that cannot be imported. Lists every problem found (up to a limit), each with its place. */
export class ImportValidationError extends DomainError {
  readonly code = 'IMPORT_INVALID';
  override readonly name = 'ImportValidationError';

  constructor(
    readonly file: string,
    readonly problems: string[],
    totalProblems = problems.length,
  ) {
    const more =
      totalProblems > problems.length ? `\n  ... and ${totalProblems - problems.length} more` : '';
    super(
      `Cannot import ${file}: ${totalProblems} problem${totalProblems === 1 ? '' : 's'}, nothing was written.\n  ` +
        problems.join('\n  ') +
        more,
    );
  }
}

/** No credentials, or wrong ones, for an operation that needs them. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override readonly name = 'UnauthenticatedError';
}

/** An operation this server is configured not to allow. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  override readonly name = 'ForbiddenError';
}

/** A rate limit was hit; the client may retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  readonly code = 'TOO_MANY_REQUESTS';
  override readonly name = 'TooManyRequestsError';

  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: try again in ${retryAfterSeconds} s.`);
  }
}

/** A GraphQL operation too deep or too expensive to run; refused before any work. */
export class QueryTooComplexError extends DomainError {
  readonly code = 'QUERY_TOO_COMPLEX';
  override readonly name = 'QueryTooComplexError';
}

/** Chat was asked for, but no LLM provider is configured. */
export class LlmNotConfiguredError extends DomainError {
  readonly code = 'LLM_NOT_CONFIGURED';
  override readonly name = 'LlmNotConfiguredError';

  constructor() {
    super(
      'No LLM is configured. Set OPENAI_API_KEY (OpenAI), OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama), or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY (Azure OpenAI).',
    );
  }
}

/** The LLM could not answer: timeout, upstream errors after retries, or upstream auth failure. */
export class LlmUnavailableError extends DomainError {
  readonly code = 'LLM_UNAVAILABLE';
  override readonly name = 'LlmUnavailableError';
}

/**
 * The database could not answer: the connection was lost mid-query, or it cannot be reached. The
 * request may be retried; the connection pool replaces the broken connection meanwhile.
 */
export class DatabaseUnavailableError extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE';
  override readonly name = 'DatabaseUnavailableError';

  constructor(cause?: unknown) {
    super('The database is unavailable right now; retry the request in a few seconds.', { cause });
  }
}

/**
 * The embedded database's file is locked by another process's write (an `import` or a `setup` from
 * the CLI, or a server on the same file) for longer than the busy timeout. Nothing of this request
 * was written; it may be retried once the other write has finished.
 */
export class DatabaseBusyError extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE';
  override readonly name = 'DatabaseBusyError';

  constructor(cause?: unknown) {
    super(
      'The database file is locked by another write (an import or a setup?); nothing was written, retry when it has finished.',
      { cause },
    );
  }
}

/** The database cannot be reached at start-up: DATABASE_URL is wrong or the server is down. */
export class DatabaseUnreachableError extends DomainError {
  readonly code = 'DATABASE_UNAVAILABLE';
  override readonly name = 'DatabaseUnreachableError';

  constructor(cause: unknown) {
    super('Cannot reach the database: check DATABASE_URL and that the database is running', {
      cause,
    });
  }
}

/**
 * The client went away while its request was still reading: its read snapshot has ended, and the
 * work left is abandoned (nobody is there to receive the answer).
 */
export class ClientGoneError extends DomainError {
  readonly code = 'CLIENT_CLOSED_REQUEST';
  constructor() {
    super('The client closed the connection before the answer was ready');
  }
}
