import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { DataService } from './data.service';
import { DataModule } from './data.module';
import { DemoDataService } from './demo-data.service';

/** On the server's first start with an empty database, generates demo data (unless DEMO_DATA=false). */
@Injectable()
export class DemoDataSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoDataSeeder.name);

  constructor(
    private readonly config: AppConfig,
    private readonly data: DataService,
    private readonly demo: DemoDataService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData || !(await this.data.isEmpty())) return;
    const started = Date.now();
    const outcome = await this.demo.setup({});
    this.logger.log(
      `Empty database: generated ${outcome.days} days of demo data (${outcome.startDate} to ${outcome.endDate}) ` +
        `for ${outcome.machineNames.length} machines in ${Date.now() - started} ms. Set DEMO_DATA=false to start empty.`,
    );
  }
}

/** Imported by the server only: the CLI never fills a database behind the user's back. */
@Module({ imports: [DataModule], providers: [DemoDataSeeder] })
export class DemoSeedModule {}
