import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataService } from '../data/data.service';
import { ConnectionLosses } from '../data/database/database.provider';

/**
 * Up when the database answers and its schema is in place. The answer is public, so it says only
 * "unreachable"; the error itself is logged. Connections lost since start are counted.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger(DatabaseHealthIndicator.name);

  constructor(
    private readonly data: DataService,
    private readonly losses: ConnectionLosses,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const details = {
      connectionsLost: this.losses.count,
      ...(this.losses.lastAt ? { lastConnectionLostAt: this.losses.lastAt.toISOString() } : {}),
    };
    try {
      await this.data.checkSchema();
      return indicator.up(details);
    } catch (error) {
      this.logger.warn(`Health check: the database does not answer: ${(error as Error).message}`);
      return indicator.down({ ...details, message: 'The database does not answer.' });
    }
  }
}
