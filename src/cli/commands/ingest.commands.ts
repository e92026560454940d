import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { connectAsync } from 'mqtt';
import { BadInputError } from '../../common/errors';
import { clip } from '../../common/text';
import { AppConfig } from '../../config/app-config.service';
import { IncomingSignal, IngestService } from '../../ingest/ingest.service';
import { MAX_MESSAGE_BYTES, MAX_SIGNALS_PER_BATCH } from '../../ingest/ingest.limits';
import { SIGNAL_KINDS, SignalKind } from '../../ingest/signal-parser';
import { PlantSimulator, SimulatedSignal } from '../../ingest/simulator/plant-simulator';
import { printJson, printPairs, printTable } from '../output';
import { secondsSince, wholeNumber, WithApp } from '../with-app';

/** Rejections listed in full; the rest are counted. */
const REJECTIONS_SHOWN = 20;

interface ReplayReport {
  file: string;
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejections: { line: number; eventId: string; reason: string }[];
  seconds: number;
}

/** `replay`: a file of signals (JSON lines) through the same path as live ones. */
export function registerReplayCommand(program: Command, withApp: WithApp): void {
  program
    .command('replay')
    .description(
      'Replay a file of live signals, one JSON object per line with "kind": count, state or quality (backfills, tests)',
    )
    .argument('<file>', 'JSON lines file to read')
    .option('--json', 'print the result as JSON')
    .action((file: string, options: { json?: boolean }) =>
      withApp(async (app) => {
        const report = await replayFile(app.get(IngestService), file);
        if (options.json) printJson(report);
        else printReplay(report);
        if (report.rejected > 0) process.exitCode = 1;
      }),
    );
}

/** `dead-letters`: messages kept because they could not be read or were rejected. */
export function registerDeadLettersCommand(program: Command, withApp: WithApp): void {
  program
    .command('dead-letters')
    .description('List MQTT messages that could not be read or were rejected, newest first')
    .option('--limit <n>', 'at most this many (default 20)', wholeNumber, 20)
    .option('--json', 'print them as JSON')
    .action((options: { limit: number; json?: boolean }) =>
      withApp(async (app) => {
        const letters = await app
          .get(IngestService)
          .deadLetters({ limit: options.limit, offset: 0 });
        if (options.json) return printJson(letters);
        if (letters.length === 0) return void process.stdout.write('No dead letters.\n');
        printTable(
          ['Received', 'Topic', 'Reason', 'Payload'],
          letters.map((l) => [l.receivedAt, l.topic, l.reason, clip(l.payload, 80)]),
        );
      }),
    );
}

async function replayFile(ingestion: IngestService, file: string): Promise<ReplayReport> {
  const started = Date.now();
  const report: ReplayReport = {
    file,
    lines: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    rejections: [],
    seconds: 0,
  };
  const reject = (line: number, eventId: string, reason: string) => {
    report.rejected++;
    if (report.rejections.length < REJECTIONS_SHOWN)
      report.rejections.push({ line, eventId, reason });
  };
  let batch: { line: number; signal: IncomingSignal }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await ingestion.ingest(
      batch.map((b) => b.signal),
      'replay',
    );
    report.accepted += outcome.accepted;
    report.duplicates += outcome.duplicates;
    outcome.statuses.forEach((status, i) => {
      if (status.status !== 'rejected') return;
      const raw = batch[i].signal.raw as { eventId?: unknown };
      reject(batch[i].line, typeof raw.eventId === 'string' ? raw.eventId : '', status.reason);
    });
    batch = [];
  };
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, rejectOpen) => {
    input.once('open', () => resolve());
    input.once('error', (error) =>
      rejectOpen(new BadInputError(`Cannot read ${file}: ${error.message}`)),
    );
  });
  await opened;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    const line = ++report.lines;
    if (text.trim() === '') continue;
    const parsed = parseLine(text);
    if ('problem' in parsed) {
      reject(line, '', parsed.problem);
      continue;
    }
    batch.push({ line, signal: parsed });
    if (batch.length === MAX_SIGNALS_PER_BATCH) await flush();
  }
  await flush();
  report.seconds = secondsSince(started);
  return report;
}

/** One line: a JSON object with its kind and the signal's fields (machine included). */
function parseLine(text: string): IncomingSignal | { problem: string } {
  if (text.length > MAX_MESSAGE_BYTES) return { problem: `longer than ${MAX_MESSAGE_BYTES} bytes` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${error instanceof Error ? error.message : 'unreadable'})` };
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (!SIGNAL_KINDS.includes(kind as SignalKind)) {
    return { problem: `"kind" must be one of ${SIGNAL_KINDS.join(', ')}` };
  }
  return { kind: kind as SignalKind, raw };
}

function printReplay(report: ReplayReport): void {
  process.stdout.write(`Replayed ${report.file} in ${report.seconds} s.\n`);
  printPairs([
    ['Lines', report.lines],
    ['Accepted', report.accepted],
    ['Duplicates (ignored)', report.duplicates],
    ['Rejected', report.rejected],
  ]);
  for (const r of report.rejections) {
    process.stdout.write(
      `  line ${r.line}${r.eventId ? ` (${clip(r.eventId)})` : ''}: ${clip(r.reason, 300)}\n`,
    );
  }
  if (report.rejected > report.rejections.length) {
    process.stdout.write(`  ... and ${report.rejected - report.rejections.length} more\n`);
  }
}

const SIMULATOR_TICK_MS = 100;
const REPORT_EVERY_MS = 5_000;
const RATE = /^\s*(\d+(\.\d+)?)\s*\/\s*s\s*$/;
const MAX_RATE = 20_000;

/** Where simulated signals go: this CLI's database, a server's GraphQL API, or an MQTT broker. */
type Sender = {
  send: (signals: SimulatedSignal[]) => Promise<{ accepted: number; rejected: string[] }>;
  close: () => Promise<void>;
};

interface SimulateOptions {
  machines: number;
  rate: string;
  duration?: number;
  seed: number;
  graphql?: string;
  key?: string;
  mqtt?: string;
  json?: boolean;
}

/** `simulate`: a live plant sending signals, so that a newcomer sees live data without a machine. */
export function registerSimulateCommand(program: Command, withApp: WithApp): void {
  program
    .command('simulate')
    .description(
      "Play a live plant: the demo's machines send counts, state changes and quality issues as they run",
    )
    .option(
      '--machines <n>',
      'machines (1-1000; the demo names CNC-001, Assembly-001, ...)',
      wholeNumber,
      20,
    )
    .option('--rate <n/s>', 'signals per second, about (e.g. 50/s)', '50/s')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', wholeNumber)
    .option('--seed <n>', 'random seed', wholeNumber, 42)
    .option(
      '--graphql <url>',
      "send to a server's ingest mutation (e.g. http://localhost:8000/graphql)",
    )
    .option('--key <key>', 'ingest API key for --graphql (default: the first of INGEST_API_KEYS)')
    .option(
      '--mqtt <url>',
      'publish to an MQTT broker (e.g. mqtt://127.0.0.1:1883), under MQTT_TOPIC_PREFIX',
    )
    .option('--json', 'print the totals as JSON')
    .action((options: SimulateOptions) =>
      withApp(async (app) => {
        const rate = parseRate(options.rate);
        if (options.machines < 1 || options.machines > 1000) {
          throw new BadInputError('--machines must be from 1 to 1000');
        }
        if (options.graphql && options.mqtt)
          throw new BadInputError('Use --graphql or --mqtt, not both');
        const simulator = new PlantSimulator(
          options.machines,
          options.seed,
          randomBytes(4).toString('hex'),
        );
        const config = app.get(AppConfig);
        const sender = options.graphql
          ? graphqlSender(options.graphql, options.key ?? config.ingestApiKeys[0])
          : options.mqtt
            ? await mqttSender(options.mqtt, config.mqttTopicPrefix)
            : await directSender(app.get(IngestService), simulator);
        const target = options.graphql ?? options.mqtt ?? 'this database (DATABASE_URL)';
        process.stderr.write(
          `Simulating ${options.machines} machines at about ${rate}/s into ${target}. Ctrl-C stops.\n`,
        );
        try {
          const totals = await simulate(simulator, sender, rate, options.duration);
          if (options.json) printJson(totals);
          else
            printPairs([
              ['Seconds', totals.seconds],
              ['Signals sent', totals.sent],
              ['Signals per second', totals.perSecond],
              ['Accepted', totals.accepted],
              ['Rejected', totals.rejected],
            ]);
        } finally {
          await sender.close();
        }
      }),
    );
}

function parseRate(value: string): number {
  const match = RATE.exec(value);
  const rate = match ? Number(match[1]) : NaN;
  if (!(rate > 0 && rate <= MAX_RATE)) {
    throw new BadInputError(`--rate must be N/s with N from 1 to ${MAX_RATE}, e.g. 50/s`);
  }
  return rate;
}

/** Steps machines in turn, about `rate` signals a second, until the duration or Ctrl-C. */
async function simulate(
  simulator: PlantSimulator,
  sender: Sender,
  rate: number,
  durationSeconds: number | undefined,
): Promise<{
  seconds: number;
  sent: number;
  perSecond: number;
  accepted: number;
  rejected: number;
}> {
  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  const started = Date.now();
  const totals = { sent: 0, accepted: 0, rejected: 0 };
  let next = 0;
  let lastReport = started;
  let owed = 0;
  try {
    while (
      !stopped &&
      (durationSeconds === undefined || Date.now() - started < durationSeconds * 1000)
    ) {
      const tickStart = Date.now();
      // A target that cannot keep up is not flooded when it recovers.
      owed = Math.min(owed + (rate * SIMULATOR_TICK_MS) / 1000, MAX_SIGNALS_PER_BATCH);
      const batch: SimulatedSignal[] = [];
      for (let steps = 0; owed >= 1 && steps < MAX_SIGNALS_PER_BATCH; steps++) {
        const signals = simulator.step(next, tickStart);
        next = (next + 1) % simulator.specs.length;
        owed -= signals.length;
        batch.push(...signals);
      }
      if (batch.length > 0) {
        const result = await sender.send(batch);
        totals.sent += batch.length;
        totals.accepted += result.accepted;
        totals.rejected += result.rejected.length;
        for (const reason of result.rejected.slice(0, 3))
          process.stderr.write(`  rejected: ${clip(reason, 300)}\n`);
      }
      if (Date.now() - lastReport >= REPORT_EVERY_MS) {
        lastReport = Date.now();
        const seconds = (lastReport - started) / 1000;
        process.stderr.write(
          `${Math.round(seconds)} s: ${totals.sent} signals sent (${Math.round(totals.sent / seconds)}/s), ${totals.accepted} accepted, ${totals.rejected} rejected\n`,
        );
      }
      await new Promise((r) =>
        setTimeout(r, Math.max(0, SIMULATOR_TICK_MS - (Date.now() - tickStart))),
      );
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
  const seconds = (Date.now() - started) / 1000;
  return { seconds, ...totals, perSecond: Math.round(totals.sent / seconds) };
}

/** Into this CLI's database through the same path as the server's ingest (machines added first). */
async function directSender(ingestion: IngestService, simulator: PlantSimulator): Promise<Sender> {
  await ingestion.addMachines(simulator.specs);
  return {
    send: async (signals) => {
      const outcome = await ingestion.ingest(signals, 'simulator');
      return { accepted: outcome.accepted, rejected: outcome.rejected.map((r) => r.reason) };
    },
    close: () => Promise.resolve(),
  };
}

const INGEST_MUTATION = `mutation Ingest($input: IngestInput!) {
  ingest(input: $input) { accepted rejected { reason } }
}`;

/** To a server's ingest mutation, one call per tick. */
function graphqlSender(url: string, key: string | undefined): Sender {
  if (!key) throw new BadInputError('--graphql needs --key <ingest API key> (or INGEST_API_KEYS)');
  return {
    send: async (signals) => {
      const of = (kind: SimulatedSignal['kind']) =>
        signals.filter((s) => s.kind === kind).map((s) => s.raw);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: INGEST_MUTATION,
          variables: {
            input: { counts: of('count'), states: of('state'), qualityIssues: of('quality') },
          },
        }),
      });
      const body = (await response.json()) as {
        data?: { ingest: { accepted: number; rejected: { reason: string }[] } };
        errors?: { message: string }[];
      };
      if (!body.data)
        throw new BadInputError(
          `The server refused the signals: ${body.errors?.[0]?.message ?? response.status}`,
        );
      return {
        accepted: body.data.ingest.accepted,
        rejected: body.data.ingest.rejected.map((r) => r.reason),
      };
    },
    close: () => Promise.resolve(),
  };
}

/** To an MQTT broker, QoS 1, one message per signal on `<prefix>/<machine>/<kind>`. */
async function mqttSender(url: string, prefix: string): Promise<Sender> {
  const client = await connectAsync(url, { connectTimeout: 10_000 });
  return {
    send: async (signals) => {
      await Promise.all(
        signals.map(({ kind, machine, raw }) => {
          // The topic names the machine.
          const payload = { ...raw, machine: undefined };
          return client.publishAsync(`${prefix}/${machine}/${kind}`, JSON.stringify(payload), {
            qos: 1,
          });
        }),
      );
      // Published to the broker; the server's answers go to its dead letters, not here.
      return { accepted: signals.length, rejected: [] };
    },
    close: () => client.endAsync(),
  };
}
