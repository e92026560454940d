import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import {
  CHAT_STREAM_SUBSCRIPTION,
  CURRENT_SHIFT_QUERY,
  DASHBOARD_QUERY,
  ISSUES_QUERY,
  LIVE_SUBSCRIPTION,
  SETTING_QUERY,
} from '../web/api';
import { ROOT } from './support/processes';

/** The dashboard's operations are checked against the committed schema (itself checked against the server). */
describe('dashboard operations', () => {
  const schema = buildSchema(readFileSync(join(ROOT, 'src/schema.gql'), 'utf8'));

  it.each([
    ['setting', SETTING_QUERY],
    ['dashboard', DASHBOARD_QUERY],
    ['issues', ISSUES_QUERY],
    ['chat', CHAT_STREAM_SUBSCRIPTION],
    ['current shift', CURRENT_SHIFT_QUERY],
    ['live', LIVE_SUBSCRIPTION],
  ])('%s is valid against src/schema.gql', (_name, operation) => {
    expect(validate(schema, parse(operation)).map((error) => error.message)).toEqual([]);
  });
});
