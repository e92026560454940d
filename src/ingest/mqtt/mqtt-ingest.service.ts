import { Socket } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { connect, IPublishPacket, MqttClient } from 'mqtt';
import { clip } from '../../common/text';
import { AppConfig, MqttSettings } from '../../config/app-config.service';
import { LiveDataService } from '../../data/live/live-data.service';
import { IngestService } from '../ingest.service';
import { MAX_MESSAGE_BYTES } from '../ingest.limits';
import { SIGNAL_KINDS, SignalKind } from '../signal-parser';

/** What /health shows of the broker connection. */
export interface BrokerHealth {
  status: 'connected' | 'reconnecting' | 'disabled';
  url?: string;
  lastError?: string;
  messages: number;
  deadLetters: number;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** How long the broker keeps this instance's session (and its unacknowledged messages) offline. */
const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Live signals from an MQTT broker (MQTT_URL): `<prefix>/<machine>/count|state|quality` with JSON
 * payloads. A shared subscription (`$share/<group>/...`) lets several instances split the stream,
 * a persistent session (fixed client id, clean start off) keeps messages while an instance is
 * away, and QoS 1 with the acknowledgement sent only once the signal is stored means that a crash
 * loses nothing: the broker sends again what was not acknowledged, and the repeated eventId is
 * recognised. A message that cannot be read is kept as a dead letter and acknowledged.
 */
@Injectable()
export class MqttIngestService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MqttIngestService.name);
  private readonly settings: MqttSettings | null;
  private client: MqttClient | null = null;
  private stopping = false;
  private retryMs = FIRST_RETRY_MS;
  private readonly state: BrokerHealth = { status: 'disabled', messages: 0, deadLetters: 0 };

  constructor(
    config: AppConfig,
    private readonly ingestion: IngestService,
    private readonly live: LiveDataService,
  ) {
    this.settings = config.mqtt;
  }

  onApplicationBootstrap(): void {
    if (!this.settings) return;
    const { url, clientId } = this.settings;
    this.state.status = 'reconnecting';
    this.state.url = url.replace(/\/\/[^@/]*@/, '//***@');
    const client = connect(url, {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS },
      reconnectPeriod: FIRST_RETRY_MS,
      connectTimeout: 10_000,
    });
    this.client = client;
    // The acknowledgement of a QoS 1 message goes out when this calls back: after the signal is stored.
    client.handleMessage = (packet, done) => {
      void this.handle(packet).then(
        () => done(),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    };
    client.on('connect', (connack) => {
      // Each acknowledgement is a small packet sent alone: without this, Nagle's algorithm holds
      // it for the broker's delayed ACK (tens of milliseconds per message).
      if (client.stream instanceof Socket) client.stream.setNoDelay(true);
      this.state.status = 'connected';
      this.retryMs = FIRST_RETRY_MS;
      client.options.reconnectPeriod = FIRST_RETRY_MS;
      this.logger.log(`Connected to ${this.state.url} as ${clientId}`);
      if (!connack.sessionPresent) this.subscribe(client);
    });
    client.on('reconnect', () => {
      this.state.status = 'reconnecting';
      // Back-off: each failed attempt waits twice as long, up to 30 s.
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      client.options.reconnectPeriod = this.retryMs;
    });
    client.on('close', () => {
      if (!this.stopping) this.state.status = 'reconnecting';
    });
    client.on('error', (error) => {
      this.state.lastError = error.message;
      this.logger.warn(`MQTT: ${error.message} (retrying)`);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    // Messages not yet acknowledged stay with the broker, for this session's next connection.
    await this.client?.endAsync(false);
  }

  health(): BrokerHealth {
    return { ...this.state };
  }

  /** The topic filters, one per kind, shared with the other instances of the group. */
  topics(): string[] {
    const settings = this.settings as MqttSettings;
    return SIGNAL_KINDS.map(
      (kind) => `$share/${settings.shareGroup}/${settings.topicPrefix}/+/${kind}`,
    );
  }

  private subscribe(client: MqttClient): void {
    client.subscribe(this.topics(), { qos: 1 }, (error) => {
      if (error) {
        this.state.lastError = error.message;
        this.logger.error(`MQTT subscription failed: ${error.message}`);
      }
    });
  }

  /**
   * Reads one message and stores its signal (or its dead letter). A failure to store (the database
   * away) is retried with back-off: the message is not acknowledged until it is stored.
   */
  private async handle(packet: IPublishPacket): Promise<void> {
    this.state.messages++;
    for (let wait = FIRST_RETRY_MS; ; wait = Math.min(wait * 2, MAX_RETRY_MS)) {
      try {
        await this.store(packet.topic, Buffer.from(packet.payload));
        return;
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn(
          `MQTT message on ${clip(packet.topic, 200)} not stored (${error instanceof Error ? error.message : String(error)}); retrying in ${wait} ms`,
        );
        await sleep(wait);
      }
    }
  }

  private async store(topic: string, payload: Buffer): Promise<void> {
    const where = this.parseTopic(topic);
    if ('problem' in where) return this.deadLetter(topic, payload, where.problem);
    if (payload.length > MAX_MESSAGE_BYTES) {
      return this.deadLetter(
        topic,
        payload,
        `payload of ${payload.length} bytes is over ${MAX_MESSAGE_BYTES}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch (error) {
      return this.deadLetter(
        topic,
        payload,
        `payload is not JSON (${error instanceof Error ? error.message : 'unreadable'})`,
      );
    }
    const outcome = await this.ingestion.stage(
      [{ kind: where.kind, raw, machine: where.machine }],
      'mqtt',
    );
    const status = outcome.statuses[0];
    if (status.status === 'rejected') await this.deadLetter(topic, payload, status.reason);
  }

  /** `<prefix>/<machine>/<kind>` into its machine and kind. */
  private parseTopic(topic: string): { machine: string; kind: SignalKind } | { problem: string } {
    const prefix = `${(this.settings as MqttSettings).topicPrefix}/`;
    const rest = topic.startsWith(prefix) ? topic.slice(prefix.length).split('/') : [];
    const kind = SIGNAL_KINDS.find((k) => k === rest[1]);
    if (rest.length !== 2 || !kind) {
      return { problem: `topic is not ${prefix}<machine>/${SIGNAL_KINDS.join('|')}` };
    }
    return { machine: rest[0], kind };
  }

  private async deadLetter(topic: string, payload: Buffer, reason: string): Promise<void> {
    this.state.deadLetters++;
    this.logger.warn(`MQTT message on ${clip(topic, 200)} kept as a dead letter: ${reason}`);
    await this.live.recordDeadLetter({
      source: 'mqtt',
      topic,
      payload: payload.subarray(0, MAX_MESSAGE_BYTES).toString('utf8'),
      reason,
    });
  }
}
