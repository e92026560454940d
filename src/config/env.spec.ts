import { AppConfig } from './app-config.service';
import { ConfigValidationError, validateEnv } from './env';

describe(validateEnv.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 8000,
      NODE_ENV: 'development',
      LOG_LEVEL: 'log',
      FACTORY_NAME: 'Demo Factory',
      FACTORY_TIMEZONE: 'UTC',
      DATABASE_URL: 'file:./data/factory.db',
      DATA_FILE: './data/production.json',
      DEMO_DATA: true,
      DEMO_SEED: 42,
      PLANNED_DOWNTIME_REASONS: 'maintenance',
      FAILURE_REASONS: 'mechanical,electrical',
      MAJOR_DOWNTIME_HOURS: 2,
    });
  });

  it('converts strings to typed values', () => {
    const env = validateEnv({ PORT: '9000', DEMO_DATA: 'false', MAJOR_DOWNTIME_HOURS: '1.5' });
    expect(env.PORT).toBe(9000);
    expect(env.DEMO_DATA).toBe(false);
    expect(env.MAJOR_DOWNTIME_HOURS).toBe(1.5);
  });

  it('treats empty values as unset and ignores unrelated variables', () => {
    expect(validateEnv({ PORT: '', PATH: '/usr/bin' }).PORT).toBe(8000);
  });

  it.each([
    ['PORT', 'abc', /PORT="abc" must be a whole number from 0 to 65535/],
    ['PORT', '70000', /PORT="70000"/],
    ['PORT', '80.5', /PORT="80.5"/],
    ['NODE_ENV', 'prod', /NODE_ENV="prod" must be one of development, production, test/],
    [
      'LOG_LEVEL',
      'loud',
      /LOG_LEVEL="loud" must be one of fatal, error, warn, log, debug, verbose/,
    ],
    [
      'FACTORY_TIMEZONE',
      'Mars/Olympus',
      /FACTORY_TIMEZONE="Mars\/Olympus" must be an IANA time zone/,
    ],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL="mysql:\/\/x" must be file:<path>/],
    ['DEMO_DATA', 'maybe', /DEMO_DATA="maybe" must be true or false/],
    ['DEMO_SEED', '-1', /DEMO_SEED="-1"/],
    [
      'PLANNED_DOWNTIME_REASONS',
      'a,,b',
      /PLANNED_DOWNTIME_REASONS="a,,b" must be a comma-separated list/,
    ],
    [
      'MAJOR_DOWNTIME_HOURS',
      '25',
      /MAJOR_DOWNTIME_HOURS="25" must be a number of hours from 0 to 24/,
    ],
  ])(
    'rejects %s=%s with a message naming the variable and the accepted values',
    (name, value, message) => {
      expect(() => validateEnv({ [name]: value })).toThrow(ConfigValidationError);
      expect(() => validateEnv({ [name]: value })).toThrow(message);
    },
  );

  it.each([
    ['false', false],
    ['true', 1],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
    ['loopback', ['loopback']],
  ])(
    'reads TRUST_PROXY=%s as a hop count or proxy addresses, never "trust all"',
    (value, expected) => {
      const env = validateEnv({ TRUST_PROXY: value });
      const trust = new AppConfig({ get: (key: keyof typeof env) => env[key] } as never).trustProxy;
      expect(trust).toEqual(expected);
    },
  );

  it.each(['1.2.3', '10.0.0.1/33', '::1/129, 10.0.0.0/8'])(
    'rejects TRUST_PROXY=%s, naming the entry that is not an address (regression: a stack trace at start)',
    (value) => {
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(
        /TRUST_PROXY=.* has entries that are not addresses or subnets/,
      );
    },
  );

  it.each(['yes', 'everything', '11', '0'])('rejects TRUST_PROXY=%s', (value) => {
    expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(
      /TRUST_PROXY=.* must be false, a number of proxies/,
    );
  });

  it('reports every bad variable on one line', () => {
    let error: unknown;
    try {
      validateEnv({ PORT: 'x', DEMO_DATA: 'y' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('PORT="x"');
    expect(message).toContain('DEMO_DATA="y"');
  });

  it('never prints secrets: keys are hidden, URL passwords masked', () => {
    expect(() => validateEnv({ ADMIN_API_KEY: 'hunter2secret' })).toThrow(
      'ADMIN_API_KEY=(hidden) must be at least 16 characters',
    );
    const url = () => validateEnv({ DATABASE_URL: 'postgresql+asyncpg://u:S3cretPw@h/db' });
    expect(url).toThrow('DATABASE_URL="postgresql+asyncpg://u:***@h/db" must be');
    expect(url).not.toThrow(/S3cretPw/);
  });

  describe('LLM provider settings', () => {
    it.each([
      [
        { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' },
        /AZURE_OPENAI_API_KEY \(or AZURE_API_KEY\) is required when AZURE_OPENAI_ENDPOINT is set/,
      ],
      [{ AZURE_OPENAI_API_KEY: 'k' }, /AZURE_OPENAI_ENDPOINT \(or AZURE_ENDPOINT\) is required/],
      [
        { AZURE_ENDPOINT: 'https://x.openai.azure.com' },
        /AZURE_OPENAI_API_KEY \(or AZURE_API_KEY\) is required/,
      ],
      [
        { LLM_PROVIDER: 'azure' },
        /LLM_PROVIDER=azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY/,
      ],
      [{ LLM_PROVIDER: 'openai' }, /LLM_PROVIDER=openai needs OPENAI_API_KEY/],
      [{ LLM_PROVIDER: 'claude' }, /LLM_PROVIDER="claude" must be one of openai, azure/],
      [{ OPENAI_BASE_URL: 'not a url' }, /OPENAI_BASE_URL="not a url" must be an http\(s\) URL/],
      [
        { CHAT_API_KEYS: 'short' },
        /CHAT_API_KEYS=\(hidden\) must be a comma-separated list of keys of at least 16/,
      ],
      [
        { PROMPT_INJECTION_MODE: 'ignore' },
        /PROMPT_INJECTION_MODE="ignore" must be one of log, block/,
      ],
      [
        { CHAT_MAX_TOOL_ROUNDS: '0' },
        /CHAT_MAX_TOOL_ROUNDS="0" must be a whole number from 1 to 20/,
      ],
    ])('names a half-configured or bad provider setting: %j', (vars, message) => {
      expect(() => validateEnv(vars)).toThrow(message);
    });

    it("accepts the original's AZURE_ENDPOINT and AZURE_API_KEY as aliases", () => {
      const env = validateEnv({ AZURE_ENDPOINT: 'https://x.openai.azure.com', AZURE_API_KEY: 'k' });
      expect(env).toMatchObject({
        AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com',
        AZURE_OPENAI_API_KEY: 'k',
      });
    });

    it('accepts a local OpenAI-compatible server without a key', () => {
      expect(() => validateEnv({ OPENAI_BASE_URL: 'http://localhost:11434/v1' })).not.toThrow();
    });
  });

  describe('alert settings', () => {
    const secret = 'webhook-secret-0123456789';
    it.each([
      [
        { ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a' },
        /ALERT_WEBHOOK_SECRET \(at least 16 characters\) is required when ALERT_WEBHOOK_URLS is set/,
      ],
      [
        { ALERT_WEBHOOK_URLS: 'https://hooks.example.com/a', ALERT_WEBHOOK_SECRET: ' '.repeat(20) },
        /ALERT_WEBHOOK_SECRET \(at least 16 characters\) is required/,
      ],
      [
        {
          ALERT_WEBHOOK_URLS: 'http://user:pw@hooks.example.com/a?token=t0k',
          ALERT_WEBHOOK_SECRET: secret,
        },
        /ALERT_WEBHOOK_URLS has an entry with a user name or password, which webhooks cannot send: http:\/\/hooks.example.com\/a \(/,
      ],
      [
        { ALERT_WEBHOOK_URLS: 'ftp://user:pw@x/h?token=t0k', ALERT_WEBHOOK_SECRET: secret },
        /ALERT_WEBHOOK_URLS has an entry that is not an http\(s\) URL: ftp:\/\/x\/h/,
      ],
      [{ ALERT_RULES: 'none,shift-oee' }, /ALERT_RULES="none,shift-oee" must be none or/],
    ])('refuses %j', (vars, message) => {
      expect(() => validateEnv(vars)).toThrow(message);
      // Neither a password nor a query-string token is shown.
      expect(() => validateEnv(vars)).not.toThrow(/pw@|t0k/);
    });
  });
});
