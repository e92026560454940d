import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { MetricsRollupCache } from './metrics-rollup';

/**
 * The server builds the metrics rollup while it starts rather than on the first request (a failure
 * is retried then). Only the server's module provides it: a CLI command never pays for it.
 */
@Injectable()
export class RollupWarmup implements OnApplicationBootstrap {
  constructor(private readonly rollups: MetricsRollupCache) {}

  onApplicationBootstrap(): void {
    this.rollups.sums().catch(() => undefined);
  }
}
