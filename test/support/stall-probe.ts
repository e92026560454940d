/**
 * How long the server was unresponsive while `action` ran: /health is asked every 20 ms and the
 * slowest answer is returned, in milliseconds. A blocked event loop shows as a slow /health.
 */
export async function worstStall(url: string, action: () => Promise<unknown>): Promise<number> {
  let running = true;
  let worst = 0;
  const probe = async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/health`).then((r) => r.arrayBuffer());
      worst = Math.max(worst, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const probing = probe();
  try {
    await action();
  } finally {
    running = false;
    await probing;
  }
  return Math.round(worst);
}
