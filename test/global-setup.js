// Runs once before all suites: says which service-backed suites will run and which are skipped.
module.exports = async () => {
  const skipped = [];
  if (!process.env.TEST_DATABASE_URL) skipped.push('PostgreSQL (set TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test)');
  if (!process.env.TEST_REDIS_URL) skipped.push('Redis (set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379)');
  if (!process.env.TEST_MQTT_URL) skipped.push('MQTT (set TEST_MQTT_URL, e.g. mqtt://127.0.0.1:1883)');
  const line = skipped.length === 0
    ? 'Service suites: PostgreSQL, Redis and MQTT suites will run.'
    : `Service suites SKIPPED: ${skipped.join('; ')}. The SQLite and in-memory suites run.`;
  process.stderr.write(`\n${line}\n`);
};
