import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env, LogLevelName } from './env';

function reasonList(value: string): string[] {
  return value
    .split(',')
    .map((reason) => reason.trim().toLowerCase())
    .filter((reason) => reason.length > 0);
}

/** Typed, already-validated settings. The only way the rest of the app reads configuration. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<Env, true>) {}

  private get<K extends keyof Env>(key: K): Env[K] {
    return this.config.get(key, { infer: true });
  }

  get port(): number {
    return this.get('PORT');
  }
  get isProduction(): boolean {
    return this.get('NODE_ENV') === 'production';
  }
  get logLevel(): LogLevelName {
    return this.get('LOG_LEVEL');
  }
  get factoryName(): string {
    return this.get('FACTORY_NAME');
  }
  get timeZone(): string {
    return this.get('FACTORY_TIMEZONE');
  }
  get databaseUrl(): string {
    return this.get('DATABASE_URL');
  }
  get dataFile(): string {
    return this.get('DATA_FILE');
  }
  get demoData(): boolean {
    return this.get('DEMO_DATA');
  }
  get demoSeed(): number {
    return this.get('DEMO_SEED');
  }
  get plannedDowntimeReasons(): string[] {
    return reasonList(this.get('PLANNED_DOWNTIME_REASONS'));
  }
  get failureReasons(): string[] {
    return reasonList(this.get('FAILURE_REASONS'));
  }
  get majorDowntimeHours(): number {
    return this.get('MAJOR_DOWNTIME_HOURS');
  }
}
