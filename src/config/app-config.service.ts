import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hostname } from 'node:os';
import { parseShifts, ShiftDefinition } from '../common/shift-calendar';
import { AlertRuleName, Env, LogLevelName } from './env';

interface LlmCommon {
  model: string;
  /** Speech-to-text and text-to-speech models (Azure: deployment names). */
  sttModel: string;
  ttsModel: string;
  voice: string;
  timeoutMs: number;
  maxRetries: number;
}

export type LlmSettings =
  | (LlmCommon & { provider: 'openai'; apiKey?: string; baseUrl?: string })
  | (LlmCommon & {
      provider: 'azure';
      endpoint: string;
      apiKey: string;
      deployment: string;
      apiVersion: string;
    });

/** Targets: OEE, A, P, Q as ratios (0-1, at least), the scrap rate in percent (at most). */
export interface Targets {
  oee: number;
  availability: number;
  performance: number;
  quality: number;
  scrapRate: number;
}

/** The targets' names, in the order every answer lists them. */
export const TARGET_KEYS: readonly (keyof Targets)[] = [
  'oee',
  'availability',
  'performance',
  'quality',
  'scrapRate',
];

/** A rate limit: at most `limit` requests per `ttlMs` milliseconds. */
export interface RateLimit {
  limit: number;
  ttlMs: number;
}

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function rateLimit(value: string): RateLimit {
  const [count, unit] = value.split('/').map((part) => part.trim());
  return { limit: Number(count), ttlMs: UNIT_MS[unit as keyof typeof UNIT_MS] };
}

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
  get databasePoolSize(): number {
    return this.get('DATABASE_POOL_SIZE');
  }
  get databaseStatementTimeoutMs(): number {
    return this.get('DATABASE_STATEMENT_TIMEOUT_MS');
  }
  /** Shared rate-limit storage for several instances; unset: in memory. */
  get redisUrl(): string | undefined {
    return this.get('REDIS_URL');
  }
  /** Prefix of every Redis key, so that several deployments can share one Redis. */
  get redisKeyPrefix(): string {
    return this.get('REDIS_KEY_PREFIX');
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
  get setupReasons(): string[] {
    return reasonList(this.get('SETUP_REASONS'));
  }
  get smallStopHours(): number {
    return this.get('SMALL_STOP_MINUTES') / 60;
  }
  /** The plant's targets: OEE, A, P, Q as ratios (0-1), the scrap rate in percent (a maximum). */
  get targets(): Targets {
    return {
      oee: this.get('TARGET_OEE') / 100,
      availability: this.get('TARGET_AVAILABILITY') / 100,
      performance: this.get('TARGET_PERFORMANCE') / 100,
      quality: this.get('TARGET_QUALITY') / 100,
      scrapRate: this.get('TARGET_SCRAP_RATE'),
    };
  }
  get rateLimits(): { default: RateLimit; setup: RateLimit; chat: RateLimit } {
    return {
      default: rateLimit(this.get('RATE_LIMIT_DEFAULT')),
      setup: rateLimit(this.get('RATE_LIMIT_SETUP')),
      chat: rateLimit(this.get('RATE_LIMIT_CHAT')),
    };
  }
  /**
   * Express's `trust proxy`: false (the connection's address is the client), a number of proxy
   * hops whose X-Forwarded-For entries are trusted (the client is the entry that many places from
   * the right; `true` means 1), or the proxies' addresses. Never "trust everything": the leftmost
   * X-Forwarded-For entry is whatever the client wrote.
   */
  get trustProxy(): false | number | string[] {
    const value = this.get('TRUST_PROXY').trim().toLowerCase();
    if (value === 'false') return false;
    if (value === 'true') return 1;
    if (/^\d+$/.test(value)) return Number(value);
    return value.split(',').map((entry) => entry.trim());
  }
  /** true allows any origin ("*"); otherwise the list of allowed origins. */
  get allowedOrigins(): string[] | true {
    const value = this.get('ALLOWED_ORIGINS').trim();
    return value === '*' ? true : value.split(',').map((origin) => origin.trim());
  }
  get graphqlSandbox(): boolean {
    return this.get('GRAPHQL_SANDBOX') ?? !this.isProduction;
  }
  get adminApiKey(): string | undefined {
    return this.get('ADMIN_API_KEY');
  }
  /** The LLM to use, or null when none is configured (chat then answers LLM_NOT_CONFIGURED). */
  get llm(): LlmSettings | null {
    const common = {
      timeoutMs: this.get('LLM_TIMEOUT_MS'),
      maxRetries: this.get('LLM_MAX_RETRIES'),
      voice: this.get('VOICE_NAME'),
    };
    const azureEndpoint = this.get('AZURE_OPENAI_ENDPOINT');
    const azureKey = this.get('AZURE_OPENAI_API_KEY');
    const openaiReady = Boolean(this.get('OPENAI_API_KEY') || this.get('OPENAI_BASE_URL'));
    const provider =
      this.get('LLM_PROVIDER') ?? (azureEndpoint ? 'azure' : openaiReady ? 'openai' : null);
    if (provider === 'azure' && azureEndpoint && azureKey) {
      return {
        ...common,
        provider,
        endpoint: azureEndpoint,
        apiKey: azureKey,
        deployment: this.get('AZURE_DEPLOYMENT_NAME'),
        apiVersion: this.get('AZURE_API_VERSION'),
        model: this.get('AZURE_DEPLOYMENT_NAME'),
        sttModel: this.get('AZURE_STT_DEPLOYMENT'),
        ttsModel: this.get('AZURE_TTS_DEPLOYMENT'),
      };
    }
    if (provider === 'openai' && openaiReady) {
      return {
        ...common,
        provider,
        apiKey: this.get('OPENAI_API_KEY'),
        baseUrl: this.get('OPENAI_BASE_URL'),
        model: this.get('OPENAI_MODEL'),
        sttModel: this.get('VOICE_STT_MODEL'),
        ttsModel: this.get('VOICE_TTS_MODEL'),
      };
    }
    return null;
  }
  get chatMaxToolRounds(): number {
    return this.get('CHAT_MAX_TOOL_ROUNDS');
  }
  get promptInjectionMode(): 'log' | 'block' {
    return this.get('PROMPT_INJECTION_MODE');
  }
  /** Keys that clients must present to chat; empty: chat is open. */
  get chatApiKeys(): string[] {
    return keyList(this.get('CHAT_API_KEYS'));
  }
  /** Keys that MCP clients must present at /mcp; empty: MCP over HTTP is closed. */
  get mcpApiKeys(): string[] {
    return keyList(this.get('MCP_API_KEYS'));
  }
  /** Keys that i3X clients must present at /i3x/v1 (but /info); empty: i3X is closed. */
  get i3xApiKeys(): string[] {
    return keyList(this.get('I3X_API_KEYS'));
  }
  /** A running machine silent this long has i3X quality Uncertain (ms). */
  get i3xStaleMs(): number {
    return this.get('I3X_STALE_SECONDS') * 1000;
  }
  /** The plant's shifts in local hours (validated at start). */
  get shifts(): ShiftDefinition[] {
    return parseShifts(this.get('SHIFTS')).shifts;
  }
  /** Keys that live signal sources must present; empty: ingestion is closed. */
  get ingestApiKeys(): string[] {
    return keyList(this.get('INGEST_API_KEYS'));
  }
  get ingestLateWindowDays(): number {
    return this.get('INGEST_LATE_WINDOW_DAYS');
  }
  get ingestAutoCreateMachines(): boolean {
    return this.get('INGEST_AUTO_CREATE_MACHINES');
  }
  get ingestDefaultIdealCycleTimeSeconds(): number {
    return this.get('INGEST_DEFAULT_IDEAL_CYCLE_TIME_SECONDS');
  }
  get liveRefreshMs(): number {
    return this.get('LIVE_REFRESH_SECONDS') * 1000;
  }
  get mqttTopicPrefix(): string {
    return this.get('MQTT_TOPIC_PREFIX');
  }
  get alerts(): AlertSettings {
    const rules = this.get('ALERT_RULES').trim();
    return {
      rules: rules === 'none' ? [] : (keyList(rules) as AlertRuleName[]),
      lookbackDays: this.get('ALERT_LOOKBACK_DAYS'),
      checkMs: this.get('ALERT_CHECK_SECONDS') * 1000,
      // The same URL twice would post every alert twice.
      webhookUrls: [...new Set(keyList(this.get('ALERT_WEBHOOK_URLS')))],
      secret: this.get('ALERT_WEBHOOK_SECRET') ?? '',
      attempts: this.get('ALERT_WEBHOOK_ATTEMPTS'),
      retryMs: this.get('ALERT_WEBHOOK_RETRY_SECONDS') * 1000,
    };
  }
  /** The broker to take live signals from; null: no MQTT. */
  get mqtt(): MqttSettings | null {
    const url = this.get('MQTT_URL');
    if (!url) return null;
    return {
      url,
      topicPrefix: this.get('MQTT_TOPIC_PREFIX'),
      clientId: this.get('MQTT_CLIENT_ID') ?? `factory-agent-${hostname()}`.slice(0, 64),
      shareGroup: this.get('MQTT_SHARE_GROUP'),
    };
  }
}

export interface AlertSettings {
  rules: AlertRuleName[];
  lookbackDays: number;
  checkMs: number;
  webhookUrls: string[];
  /** Set whenever webhookUrls is not empty (validated at start). */
  secret: string;
  attempts: number;
  retryMs: number;
}

export interface MqttSettings {
  url: string;
  topicPrefix: string;
  clientId: string;
  shareGroup: string;
}

function keyList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
