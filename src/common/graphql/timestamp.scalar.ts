import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * A moment as a sender writes it: ISO 8601 text with an offset, or epoch milliseconds (a number
 * or a string of digits). Passed on as written, so that a bad one refuses only its own signal
 * (see signal-parser.ts), not the whole request.
 */
export const TimestampScalar = new GraphQLScalarType<string | number, string>({
  name: 'Timestamp',
  description:
    'A moment: ISO 8601 with an offset ("2026-03-29T06:15:00+02:00", "...Z") or epoch milliseconds (1774757700000).',
  serialize: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('A Timestamp is sent as ISO 8601 text');
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new GraphQLError('A Timestamp is ISO 8601 text or epoch milliseconds');
    }
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return ast.value;
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return Number(ast.value);
    throw new GraphQLError('A Timestamp is ISO 8601 text or epoch milliseconds');
  },
});
