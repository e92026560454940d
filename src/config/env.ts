import { isIP } from 'node:net';
import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  isURL,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { displayUrl } from '../alerts/webhook-url';
import { parseShifts } from '../common/shift-calendar';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;
const REASON_LIST = /^\s*[a-z0-9_-]+(\s*,\s*[a-z0-9_-]+)*\s*$/i;
const RATE = /^\s*[1-9]\d{0,8}\s*\/\s*(second|minute|hour|day)\s*$/;
const RATE_MESSAGE = 'must be N/second, N/minute, N/hour or N/day with N a positive whole number';
const LLM_PROVIDERS = ['openai', 'azure'] as const;
const INJECTION_MODES = ['log', 'block'] as const;
const PROXY_ADDRESS = String.raw`(loopback|linklocal|uniquelocal|[0-9a-fA-F]*[.:][0-9a-fA-F.:]*(\/\d{1,3})?)`;
const TRUST_PROXY_VALUE = new RegExp(
  String.raw`^\s*(false|true|[1-9]|10|${PROXY_ADDRESS}(\s*,\s*${PROXY_ADDRESS})*)\s*$`,
  'i',
);
const KEY_LIST = /^\s*[^\s,]{16,}(\s*,\s*[^\s,]{16,})*\s*$/;
const KEY_LIST_MESSAGE = 'must be a comma-separated list of keys of at least 16 characters each';
const MQTT_LEVELS = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
export const ALERT_RULE_NAMES = ['shift-oee', 'long-downtime', 'scrap-rate'] as const;
const ALERT_RULE_LIST = new RegExp(
  String.raw`^\s*(none|(${ALERT_RULE_NAMES.join('|')})(\s*,\s*(${ALERT_RULE_NAMES.join('|')}))*)\s*$`,
);
const ORIGIN_LIST = /^\s*(\*|https?:\/\/[^\s,]+(\s*,\s*https?:\/\/[^\s,]+)*)\s*$/;

export type LogLevelName = (typeof LOG_LEVELS)[number];
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

/** Accepts the usual spellings of a boolean; anything else is left as is and fails @IsBoolean. */
function toBoolean({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
}

/** Numbers must be written as numbers: "8000abc" stays a string and is rejected. */
function toNumber({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : value;
}

/**
 * A whole number from min to max, written as a number ("8000abc" is refused), with one message that
 * names the range: `must be a whole number [of <unit>] from <min> to <max>`.
 */
function WholeNumber(min: number, max: number, unit?: string): PropertyDecorator {
  const message = `must be a whole number ${unit ? `of ${unit} ` : ''}from ${min} to ${max}`;
  return applyDecorators(
    Transform(toNumber),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/** A number (decimals allowed) from min to max, with one message naming the range. */
function NumberInRange(min: number, max: number, what: string): PropertyDecorator {
  const message = `must be a number of ${what} from ${min} to ${max}`;
  return applyDecorators(
    Transform(toNumber),
    IsNumber({}, { message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/**
 * Every environment variable the app reads, with its default. `.env.example` documents the same list.
 * Messages name the accepted values because they are printed as the one line a bad start-up shows.
 */
export class Env {
  @WholeNumber(0, 65_535)
  PORT = 8000;

  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevelName = 'log';

  @IsString()
  @MinLength(1, { message: 'must be 1 to 100 characters' })
  @MaxLength(100, { message: 'must be 1 to 100 characters' })
  FACTORY_NAME = 'Demo Factory';

  @IsTimeZone({ message: 'must be an IANA time zone name such as UTC or Europe/Berlin' })
  FACTORY_TIMEZONE = 'UTC';

  @Matches(/^(file:.+|postgres(ql)?:\/\/.+)$/, {
    message:
      'must be file:<path> (SQLite, e.g. file:./data/factory.db, or file::memory:) or postgres://user:password@host:5432/database',
  })
  DATABASE_URL = 'file:./data/factory.db';

  @WholeNumber(1, 100)
  DATABASE_POOL_SIZE = 10;

  @WholeNumber(100, 600_000, 'milliseconds')
  DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+$/, { message: 'must be redis://host:6379 (or rediss:// for TLS)' })
  REDIS_URL?: string;

  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'must be 1-64 letters, digits or :_.-' })
  REDIS_KEY_PREFIX = 'factory-agent:';

  @IsString()
  @MinLength(1, { message: 'must be a file path' })
  DATA_FILE = './data/production.json';

  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  DEMO_DATA = true;

  @WholeNumber(0, 2_147_483_647)
  DEMO_SEED = 42;

  @Matches(REASON_LIST, {
    message: 'must be a comma-separated list of reason codes, e.g. maintenance',
  })
  PLANNED_DOWNTIME_REASONS = 'maintenance';

  @Matches(REASON_LIST, {
    message: 'must be a comma-separated list of reason codes, e.g. mechanical,electrical',
  })
  FAILURE_REASONS = 'mechanical,electrical';

  @NumberInRange(0, 24, 'hours')
  MAJOR_DOWNTIME_HOURS = 2;

  @Matches(REASON_LIST, {
    message: 'must be a comma-separated list of reason codes, e.g. changeover,setup',
  })
  SETUP_REASONS = 'changeover,setup,adjustment';

  @NumberInRange(0, 240, 'minutes')
  SMALL_STOP_MINUTES = 5;

  @NumberInRange(0, 100, 'percent')
  TARGET_OEE = 85;

  @NumberInRange(0, 100, 'percent')
  TARGET_AVAILABILITY = 90;

  @NumberInRange(0, 100, 'percent')
  TARGET_PERFORMANCE = 95;

  @NumberInRange(0, 100, 'percent')
  TARGET_QUALITY = 99;

  @NumberInRange(0, 100, 'percent')
  TARGET_SCRAP_RATE = 2;

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_DEFAULT = '100/minute';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_SETUP = '5/minute';

  @Matches(RATE, { message: RATE_MESSAGE })
  RATE_LIMIT_CHAT = '10/minute';

  /** false, a number of proxy hops (true = 1), or the proxies' addresses (see AppConfig.trustProxy). */
  @Matches(TRUST_PROXY_VALUE, {
    message:
      'must be false, a number of proxies in front of the app (1-10; true means 1), or a comma-separated list of proxy addresses or subnets (e.g. 10.0.0.0/8, or loopback, linklocal, uniquelocal)',
  })
  TRUST_PROXY = 'false';

  @Matches(ORIGIN_LIST, {
    message: 'must be a comma-separated list of origins such as http://localhost:3000, or *',
  })
  ALLOWED_ORIGINS = 'http://localhost:3000,http://localhost:5173';

  /** Unset: true unless NODE_ENV=production (resolved in AppConfig). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  GRAPHQL_SANDBOX?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters (use a long random value)' })
  ADMIN_API_KEY?: string;

  /** openai | azure; unset: chosen from what is configured. */
  @IsOptional()
  @IsIn(LLM_PROVIDERS, { message: `must be one of ${LLM_PROVIDERS.join(', ')}` })
  LLM_PROVIDER?: (typeof LLM_PROVIDERS)[number];

  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  @IsString()
  @MinLength(1, { message: 'must be a model name' })
  OPENAI_MODEL = 'gpt-4o-mini';

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  OPENAI_BASE_URL?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] }, { message: 'must be an https URL' })
  AZURE_OPENAI_ENDPOINT?: string;

  @IsOptional()
  @IsString()
  AZURE_OPENAI_API_KEY?: string;

  @IsString()
  @MinLength(1, { message: 'must be a deployment name' })
  AZURE_DEPLOYMENT_NAME = 'gpt-4';

  @Matches(/^\d{4}-\d{2}-\d{2}(-preview)?$/, {
    message: 'must be an API version such as 2024-10-21',
  })
  AZURE_API_VERSION = '2024-10-21';

  /** The original system's names, accepted as aliases. */
  @IsOptional()
  @IsString()
  AZURE_ENDPOINT?: string;

  @IsOptional()
  @IsString()
  AZURE_API_KEY?: string;

  @IsString()
  @MinLength(1, { message: 'must be a model name' })
  VOICE_STT_MODEL = 'whisper-1';

  @IsString()
  @MinLength(1, { message: 'must be a model name' })
  VOICE_TTS_MODEL = 'tts-1';

  @IsString()
  @MinLength(1, { message: 'must be a voice name such as alloy' })
  VOICE_NAME = 'alloy';

  @IsString()
  @MinLength(1, { message: 'must be a deployment name' })
  AZURE_STT_DEPLOYMENT = 'whisper';

  @IsString()
  @MinLength(1, { message: 'must be a deployment name' })
  AZURE_TTS_DEPLOYMENT = 'tts';

  @WholeNumber(1000, 600_000, 'milliseconds')
  LLM_TIMEOUT_MS = 30_000;

  @WholeNumber(0, 10)
  LLM_MAX_RETRIES = 2;

  @WholeNumber(1, 20)
  CHAT_MAX_TOOL_ROUNDS = 5;

  @IsIn(INJECTION_MODES, { message: `must be one of ${INJECTION_MODES.join(', ')}` })
  PROMPT_INJECTION_MODE: (typeof INJECTION_MODES)[number] = 'log';

  @IsOptional()
  @Matches(KEY_LIST, { message: KEY_LIST_MESSAGE })
  CHAT_API_KEYS?: string;

  @IsOptional()
  @Matches(KEY_LIST, { message: KEY_LIST_MESSAGE })
  MCP_API_KEYS?: string;

  @IsOptional()
  @Matches(KEY_LIST, { message: KEY_LIST_MESSAGE })
  I3X_API_KEYS?: string;

  @WholeNumber(10, 86_400, 'seconds')
  I3X_STALE_SECONDS = 300;

  /** The shift calendar (see common/shift-calendar.ts); checked whole by shiftProblems. */
  @IsString()
  SHIFTS = 'Day 06:00-14:00,Night 14:00-22:00';

  @IsOptional()
  @Matches(KEY_LIST, { message: KEY_LIST_MESSAGE })
  INGEST_API_KEYS?: string;

  @WholeNumber(1, 90, 'days')
  INGEST_LATE_WINDOW_DAYS = 7;

  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  INGEST_AUTO_CREATE_MACHINES = false;

  @NumberInRange(0.1, 86_400, 'seconds')
  INGEST_DEFAULT_IDEAL_CYCLE_TIME_SECONDS = 60;

  @WholeNumber(1, 3600, 'seconds')
  LIVE_REFRESH_SECONDS = 60;

  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['mqtt', 'mqtts', 'ws', 'wss'] },
    { message: 'must be a broker URL such as mqtt://127.0.0.1:1883 (mqtt, mqtts, ws or wss)' },
  )
  MQTT_URL?: string;

  @Matches(MQTT_LEVELS, {
    message: 'must be one or more topic levels (letters, digits, _ . -) separated by /',
  })
  MQTT_TOPIC_PREFIX = 'factory';

  /** Unset: factory-agent-<host name> (AppConfig); each instance needs its own. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits or _ . -' })
  MQTT_CLIENT_ID?: string;

  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'must be 1-64 letters, digits or _ . -' })
  MQTT_SHARE_GROUP = 'factory-agent';

  @Matches(ALERT_RULE_LIST, {
    message: `must be none or a comma-separated list of ${ALERT_RULE_NAMES.join(', ')}`,
  })
  ALERT_RULES = ALERT_RULE_NAMES.join(',');

  @WholeNumber(0, 31, 'days')
  ALERT_LOOKBACK_DAYS = 1;

  @WholeNumber(1, 3600, 'seconds')
  ALERT_CHECK_SECONDS = 30;

  /** Checked URL by URL in alertProblems. */
  @IsOptional()
  @IsString()
  ALERT_WEBHOOK_URLS?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters (use a long random value)' })
  ALERT_WEBHOOK_SECRET?: string;

  @WholeNumber(1, 20)
  ALERT_WEBHOOK_ATTEMPTS = 6;

  @WholeNumber(1, 3600, 'seconds')
  ALERT_WEBHOOK_RETRY_SECONDS = 10;
}

/**
 * Every ALERT_WEBHOOK_URLS entry is an http(s) URL without credentials (fetch refuses them, and
 * they would show in logs); deliveries are signed. URLs are shown without their query string.
 */
function alertProblems(env: Env): string[] {
  if (!env.ALERT_WEBHOOK_URLS) return [];
  const problems: string[] = [];
  for (const url of env.ALERT_WEBHOOK_URLS.split(',').map((entry) => entry.trim())) {
    const valid = isURL(url, {
      require_tld: false,
      protocols: ['http', 'https'],
      require_protocol: true,
    });
    if (!valid) {
      problems.push(
        `ALERT_WEBHOOK_URLS has an entry that is not an http(s) URL: ${displayUrl(url)}`,
      );
    } else if (/^[a-z]+:\/\/[^/?#]*@/i.test(url)) {
      problems.push(
        `ALERT_WEBHOOK_URLS has an entry with a user name or password, which webhooks cannot send: ${displayUrl(url)} (use a token in the path or query instead)`,
      );
    }
  }
  if (!env.ALERT_WEBHOOK_SECRET || env.ALERT_WEBHOOK_SECRET.trim().length < 16) {
    problems.push(
      'ALERT_WEBHOOK_SECRET (at least 16 characters) is required when ALERT_WEBHOOK_URLS is set: every delivery is signed with it',
    );
  }
  return problems;
}

/** SHIFTS must be a calendar whose shifts do not overlap. */
function shiftProblems(env: Env): string[] {
  const { problems } = parseShifts(env.SHIFTS);
  return problems.length === 0
    ? []
    : [
        `SHIFTS=${JSON.stringify(env.SHIFTS)} ${problems.join('; ')} (expected e.g. "Early 06:00-14:00,Late 14:00-22:00,Night 22:00-06:00")`,
      ];
}

/**
 * Cross-variable rules: a provider that is half configured is named at start-up, rather than
 * failing on the first chat request.
 */
function llmProblems(env: Env): string[] {
  const problems: string[] = [];
  const azureEndpoint = Boolean(env.AZURE_OPENAI_ENDPOINT);
  const azureKey = Boolean(env.AZURE_OPENAI_API_KEY);
  if (azureEndpoint !== azureKey) {
    problems.push(
      azureEndpoint
        ? 'AZURE_OPENAI_API_KEY (or AZURE_API_KEY) is required when AZURE_OPENAI_ENDPOINT is set'
        : 'AZURE_OPENAI_ENDPOINT (or AZURE_ENDPOINT) is required when AZURE_OPENAI_API_KEY is set',
    );
  }
  if (env.LLM_PROVIDER === 'azure' && !azureEndpoint) {
    problems.push('LLM_PROVIDER=azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY');
  }
  if (env.LLM_PROVIDER === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    problems.push(
      'LLM_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)',
    );
  }
  return problems;
}

/**
 * TRUST_PROXY addresses must be real addresses or subnets: the shape check lets "1.2.3" and
 * "10.0.0.1/33" through, which Express would only refuse with a stack trace at start-up.
 */
function trustProxyProblems(env: Env): string[] {
  const value = env.TRUST_PROXY.trim().toLowerCase();
  if (/^(false|true|\d+)$/.test(value)) return [];
  const bad = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => {
      if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return false;
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) return true;
      return prefix !== undefined && !(Number(prefix) <= (family === 4 ? 32 : 128));
    });
  return bad.length === 0
    ? []
    : [
        `TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)} has entries that are not addresses or subnets: ${bad.join(', ')}`,
      ];
}

/** Thrown for a bad environment; start-up prints its message alone, without a stack. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';
}

const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN/;

/** The value to show in an error: secrets hidden, passwords in URLs masked. */
function shown(name: string, value: unknown): string {
  if (SECRET_NAME.test(name)) return '(hidden)';
  const text = JSON.stringify(value);
  return text.replace(/(\/\/[^:/@"]*:)[^@"]*@/, '$1***@');
}

function describe(error: ValidationError, raw: Record<string, unknown>): string {
  const reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  return `${error.property}=${shown(error.property, raw[error.property])} ${reason}`;
}

/**
 * Validates the raw environment (process.env merged with .env). Empty values count as unset, so a
 * `PORT=` line in .env falls back to the default instead of becoming port 0.
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const known = Object.keys(new Env());
  const present = Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => known.includes(key) && value !== ''),
  );
  // The original system's AZURE_ENDPOINT and AZURE_API_KEY stand in for the current names.
  present.AZURE_OPENAI_ENDPOINT ??= present.AZURE_ENDPOINT;
  present.AZURE_OPENAI_API_KEY ??= present.AZURE_API_KEY;
  const env = plainToInstance(Env, present);
  const errors = validateSync(env, { forbidUnknownValues: true });
  const lines = errors.map((error) => describe(error, present));
  if (lines.length === 0)
    lines.push(
      ...llmProblems(env),
      ...trustProxyProblems(env),
      ...shiftProblems(env),
      ...alertProblems(env),
    );
  if (lines.length > 0) {
    throw new ConfigValidationError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return env;
}

/**
 * Validates the environment before Nest starts, so that a bad value is reported as one line rather
 * than through Nest's exception logger. The app validates again when it builds AppConfig.
 */
export function assertValidEnvironment(): Env {
  return validateEnv(process.env);
}
