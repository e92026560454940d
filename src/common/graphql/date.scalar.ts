import { GraphQLScalarType, Kind } from 'graphql';
import { parseDate } from '../dates';

/** "YYYY-MM-DD": a calendar day in the plant's time zone. Impossible dates (2024-02-30) are rejected. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description:
    'A calendar date "YYYY-MM-DD" in the plant\'s time zone (FACTORY_TIMEZONE); impossible dates such as 2024-02-30 are rejected.',
  parseValue: parseDate,
  serialize: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
