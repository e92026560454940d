import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { DataResolver } from './data.resolver';
import { DataService } from './data.service';
import { createDatabase, KYSELY } from './database.provider';
import { DemoDataService } from './demo-data.service';
import { LegacyService } from './legacy/legacy.service';
import { migrateToLatest } from './migrations';

/** Storage: the database connection (migrated on start), dataset reads and writes, demo data, legacy files. */
@Module({
  providers: [
    {
      provide: KYSELY,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const db = createDatabase(config.databaseUrl, {
          poolSize: config.databasePoolSize,
          statementTimeoutMs: config.databaseStatementTimeoutMs,
        });
        const applied = await migrateToLatest(db);
        if (applied.length > 0) {
          new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        }
        return db;
      },
    },
    DataService,
    DemoDataService,
    LegacyService,
    DataResolver,
  ],
  exports: [KYSELY, DataService, DemoDataService, LegacyService],
})
export class DataModule {}
