import { GraphQLScalarType, Kind } from 'graphql';
import { isIsoDate } from '../dates';
import { BadInputError } from '../errors';

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new BadInputError(
      `Invalid date ${JSON.stringify(value)}: expected a calendar date YYYY-MM-DD such as 2026-01-31`,
    );
  }
  return value;
}

/** "YYYY-MM-DD": a calendar day in the plant's time zone. Impossible dates (2024-02-30) are rejected. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description:
    'A calendar date "YYYY-MM-DD" in the plant\'s time zone (FACTORY_TIMEZONE); impossible dates such as 2024-02-30 are rejected.',
  parseValue: parseDate,
  serialize: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
