import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { IngestService } from './ingest.service';

/**
 * The server keeps live data moving once it has started (see IngestService.startUpkeep). Only the
 * server's module provides it: a one-shot CLI command never writes unasked.
 */
@Injectable()
export class LiveUpkeep implements OnApplicationBootstrap {
  constructor(private readonly ingest: IngestService) {}

  onApplicationBootstrap(): void {
    this.ingest.startUpkeep();
  }
}
