import { jest } from '@jest/globals';
import { HttpException, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { BadInputError, DatabaseUnavailableError, TooManyRequestsError } from '../errors';
import { formatGraphqlError } from './format-error';

const formatted = { message: 'raw', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

describe(formatGraphqlError.name, () => {
  // Real faults are logged; keep the test output clean.
  beforeAll(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('keeps a domain error message and code', () => {
    expect(formatGraphqlError(formatted, new BadInputError('bad date'), false)).toEqual(
      expect.objectContaining({ message: 'bad date', extensions: { code: 'BAD_USER_INPUT' } }),
    );
  });

  it('adds retryAfterSeconds to TOO_MANY_REQUESTS', () => {
    expect(formatGraphqlError(formatted, new TooManyRequestsError(42), false).extensions).toEqual({
      code: 'TOO_MANY_REQUESTS',
      retryAfterSeconds: 42,
    });
  });

  it('unwraps a scalar error wrapped in a validation error', () => {
    const wrapped = new GraphQLError('Expected value of type "Date"', {
      originalError: new BadInputError('Invalid date'),
    });
    expect(formatGraphqlError(formatted, wrapped, false)).toMatchObject({
      message: 'Invalid date',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(
      formatGraphqlError(formatted, new HttpException('slow down', 429), false).extensions,
    ).toEqual({
      code: 'TOO_MANY_REQUESTS',
    });
  });

  it('hides the details of a real fault in production, not in development', () => {
    const fault = new Error('SQLITE_CORRUPT: select * from machines');
    expect(formatGraphqlError(formatted, fault, false)).toEqual(
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    );
    expect(formatGraphqlError(formatted, fault, true).message).toBe(fault.message);
  });

  it("passes Apollo's own client error codes through", () => {
    const parse = { message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } };
    expect(formatGraphqlError(parse, new GraphQLError('Syntax Error'), false)).toEqual(
      expect.objectContaining({
        message: 'Syntax Error',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    );
  });

  it('answers a refusal Apollo makes without a code (a persisted query whose hash does not match) as BAD_REQUEST, not as a fault', () => {
    const refusal = new GraphQLError('provided sha does not match query', {
      extensions: { http: { status: 400 } },
    });
    const error = jest.spyOn(Logger.prototype, 'error');
    error.mockClear();
    expect(formatGraphqlError(formatted, refusal, false)).toEqual(
      expect.objectContaining({
        message: 'raw',
        extensions: { code: 'BAD_REQUEST' },
      }),
    );
    expect(error).not.toHaveBeenCalled();
  });

  it('marks a lost database connection as retryable, without its details', () => {
    const lost = new DatabaseUnavailableError(
      new Error('terminating connection due to administrator command'),
    );
    expect(formatGraphqlError(formatted, lost, false)).toEqual(
      expect.objectContaining({
        message: 'The database is unavailable right now; retry the request in a few seconds.',
        extensions: { code: 'DATABASE_UNAVAILABLE', retryable: true },
      }),
    );
  });
});
