import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Kysely, sql } from 'kysely';
import { Database } from '../data/database.types';
import { KYSELY } from '../data/database.provider';

/** Up when the database answers and its schema is in place. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      // Reads the migrations table: the database answers and holds our schema.
      await sql`select count(*) from kysely_migration`.execute(this.db);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
