import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kysely } from 'kysely';
import { Client } from 'pg';
import { AppConfig } from '../../config/app-config.service';
import { DataService } from '../data.service';
import { LiveDataService } from '../live/live-data.service';
import { MetricsSumsRepository } from '../metrics-sums.repository';
import { SummariesWriter } from '../summaries.writer';
import { Database } from './database.types';
import { ReadSnapshots } from './read-snapshots';

/**
 * The databases the parameterised suites run against: SQLite always, PostgreSQL when
 * TEST_DATABASE_URL is set (CI sets it; see test/global-setup.js for the message when it is not).
 * Each test database is new and dropped afterwards.
 */
export type DatabaseKind = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
export const TEST_MQTT_URL = process.env.TEST_MQTT_URL;
export const DATABASE_KINDS: DatabaseKind[] = TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

async function admin<T>(body: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** A new empty database: an SQLite file in `dir` (in memory without one), or a PostgreSQL database. */
export async function createTestDatabase(kind: DatabaseKind, dir?: string): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    return {
      url: dir ? `file:${join(dir, 'factory.db')}` : 'file::memory:',
      drop: () => Promise.resolve(),
    };
  }
  const name = `factory_agent_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin(async (client) => {
        await client.query(`drop database if exists ${name} with (force)`);
      }),
  };
}

/** Stops and allows new connections to a test database, to play an outage. */
export function setConnectionsAllowed(databaseUrl: string, allowed: boolean): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  return admin(async (client) => {
    await client.query(`alter database ${name} allow_connections ${allowed}`);
    if (!allowed) {
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
        [name],
      );
    }
  });
}

/** A Redis key prefix of its own for each test app, so that parallel suites do not share counters. */
export const redisPrefix = () => `factory-agent-test:${randomBytes(4).toString('hex')}:`;

/** A DataService or LiveDataService over `db` as the Data module wires it (snapshots, summaries). */
function wired<T>(
  Service: new (db: Kysely<Database>, snapshots: ReadSnapshots, summaries: SummariesWriter) => T,
  db: Kysely<Database>,
  url: string,
  config: Pick<AppConfig, 'plannedDowntimeReasons'>,
): T {
  const snapshots = new ReadSnapshots(db, url);
  const settings = config as AppConfig;
  const summaries = new SummariesWriter(new MetricsSumsRepository(snapshots, settings), settings);
  return new Service(db, snapshots, summaries);
}

/** A DataService for unit tests. */
export function createDataService(
  db: Kysely<Database>,
  url: string,
  config: Pick<AppConfig, 'plannedDowntimeReasons'>,
): DataService {
  return wired(DataService, db, url, config);
}

/** A LiveDataService for unit tests. */
export function createLiveDataService(
  db: Kysely<Database>,
  url: string,
  config: Pick<AppConfig, 'plannedDowntimeReasons'>,
): LiveDataService {
  return wired(LiveDataService, db, url, config);
}
