/** Signals one ingest call (or one MQTT batch) may carry. */
export const MAX_SIGNALS_PER_BATCH = 1000;
/** A signal may be this far ahead of the server's clock (clocks drift). */
export const MAX_FUTURE_MS = 5 * 60_000;
/** A message (MQTT) or a replayed line larger than this is not read (a signal is a few hundred bytes). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
