import { registerEnumType } from '@nestjs/graphql';
import { SeverityName } from '../../data/database.types';

export enum Severity {
  LOW = 'Low',
  MEDIUM = 'Medium',
  HIGH = 'High',
}

registerEnumType(Severity, {
  name: 'Severity',
  description: 'Severity of a quality issue.',
  valuesMap: {
    LOW: { description: 'Cosmetic or minor; parts are often reworkable.' },
    MEDIUM: { description: 'Affects function or appearance noticeably.' },
    HIGH: { description: 'Out of specification; parts are scrapped.' },
  },
});

export const toSeverity = (name: SeverityName): Severity => name as Severity;
