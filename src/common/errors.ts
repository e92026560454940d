/**
 * Domain errors: each carries a stable code that the GraphQL layer puts in `extensions.code` and the
 * CLI prints. Messages tell the user what to do.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'IMPORT_INVALID';

export abstract class DomainError extends Error {
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
