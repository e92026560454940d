/**
 * Loaded into the server by the bench (`node --require bench/dist/event-loop-probe.js`): measures
 * how long the event loop was blocked, and answers the bench over the IPC channel with the longest
 * and 99th-percentile delay since its last question. Nothing of it is in the product.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();

process.on('message', (message) => {
  if (message !== 'event-loop-delay') return;
  process.send?.({
    maxMs: Math.round(histogram.max / 1e5) / 10,
    p99Ms: Math.round(histogram.percentile(99) / 1e5) / 10,
  });
  histogram.reset();
});
