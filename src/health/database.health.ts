import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Kysely, sql } from 'kysely';
import { Database } from '../data/database.types';
import { KYSELY } from '../data/database.provider';

/** Up when the database answers a trivial query. */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await sql`select 1`.execute(this.db);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
