import { registerEnumType } from '@nestjs/graphql';
import { SEVERITIES, SeverityName } from '../../common/severity';

/** The GraphQL enum of the severities: LOW = 'Low', MEDIUM = 'Medium', HIGH = 'High'. */
export const Severity = Object.fromEntries(SEVERITIES.map((s) => [s.toUpperCase(), s])) as {
  readonly [K in SeverityName as Uppercase<K>]: K;
};
export type Severity = SeverityName;

const MEANINGS: Record<SeverityName, string> = {
  Low: 'Cosmetic or minor; parts are often reworkable.',
  Medium: 'Affects function or appearance noticeably.',
  High: 'Out of specification; parts are scrapped.',
};

registerEnumType(Severity, {
  name: 'Severity',
  description: 'Severity of a quality issue.',
  valuesMap: Object.fromEntries(
    SEVERITIES.map((s) => [s.toUpperCase(), { description: MEANINGS[s] }]),
  ),
});
