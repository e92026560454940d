import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * A whole-number count of parts, events or issues. GraphQL's Int is 32-bit (at most 2,147,483,647),
 * which part counts over a long range outgrow; a Count is exact up to 2^53 - 1 and is sent as a
 * plain JSON number.
 */
export const CountScalar = new GraphQLScalarType<number, number>({
  name: 'Count',
  description:
    'A whole-number count (parts, events, issues), exact up to 9007199254740991 (2^53 - 1), sent as a JSON number. Int is 32-bit and too small for part counts over long ranges.',
  serialize: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new GraphQLError(`Count cannot represent ${String(value)}`);
    }
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new GraphQLError(`A Count must be a whole number from 0 to 2^53 - 1`);
    }
    return value;
  },
  parseLiteral: (ast) => {
    const value = ast.kind === Kind.INT ? Number(ast.value) : NaN;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new GraphQLError(`A Count must be a whole number from 0 to 2^53 - 1`);
    }
    return value;
  },
});
