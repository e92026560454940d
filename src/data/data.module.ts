import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { AlertsRepository } from './alerts.repository';
import { DataResolver } from './data.resolver';
import { DataService } from './data.service';
import { I3xSubscriptionsRepository } from './i3x-subscriptions.repository';
import { ConnectionLosses, createDatabase, KYSELY } from './database/database.provider';
import { DemoDataService } from './demo-data.service';
import { MetricsSumsRepository } from './metrics-sums.repository';
import { migrateToLatest } from './database/migrations';
import { ReadSnapshots } from './database/read-snapshots';
import { SummariesWriter } from './summaries.writer';
import { LiveDataService } from './live/live-data.service';

/** PostgreSQL connections for background work (rollup builds, shared stats), beside the pool. */
const BACKGROUND_POOL_SIZE = 2;

/** Storage: the database connection (migrated on start), dataset reads and writes, metric sums, demo data. */
@Module({
  providers: [
    ConnectionLosses,
    {
      provide: KYSELY,
      inject: [AppConfig, ConnectionLosses],
      useFactory: async (config: AppConfig, losses: ConnectionLosses) => {
        const db = createDatabase(config.databaseUrl, {
          poolSize: config.databasePoolSize,
          statementTimeoutMs: config.databaseStatementTimeoutMs,
          losses,
        });
        const applied = await migrateToLatest(db);
        if (applied.length > 0) {
          new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        }
        return db;
      },
    },
    {
      provide: ReadSnapshots,
      inject: [KYSELY, AppConfig, ConnectionLosses],
      useFactory: (
        db: ConstructorParameters<typeof ReadSnapshots>[0],
        config: AppConfig,
        losses: ConnectionLosses,
      ) =>
        new ReadSnapshots(db, config.databaseUrl, () =>
          createDatabase(config.databaseUrl, {
            poolSize: BACKGROUND_POOL_SIZE,
            statementTimeoutMs: config.databaseStatementTimeoutMs,
            losses,
          }),
        ),
    },
    DataService,
    MetricsSumsRepository,
    SummariesWriter,
    LiveDataService,
    DemoDataService,
    DataResolver,
    AlertsRepository,
    I3xSubscriptionsRepository,
  ],
  exports: [
    AlertsRepository,
    I3xSubscriptionsRepository,
    ConnectionLosses,
    DataService,
    LiveDataService,
    MetricsSumsRepository,
    DemoDataService,
  ],
})
export class DataModule {}
