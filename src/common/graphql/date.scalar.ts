import { GraphQLScalarType, Kind, print } from 'graphql';
import { parseDate } from '../dates';
import { BadInputError } from '../errors';
import { clip } from '../text';

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** "YYYY-MM-DD": a calendar day in the plant's time zone. Impossible dates (2024-02-30) are rejected. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description:
    'A calendar date "YYYY-MM-DD" in the plant\'s time zone (FACTORY_TIMEZONE); impossible dates such as 2024-02-30 are rejected.',
  parseValue: parseDate,
  // Dates going out were checked when they came in (imports, arguments): the shape is enough here,
  // and a year of daily rows serialises hundreds of them per answer.
  serialize: (value) =>
    typeof value === 'string' && DATE_SHAPE.test(value) ? value : parseDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new BadInputError(
        `Invalid date ${clip(print(ast))}: expected a string "YYYY-MM-DD" such as "2026-01-31"`,
      );
    }
    return parseDate(ast.value);
  },
});
