import { Module } from '@nestjs/common';
import { DataModule } from '../data/data.module';
import { LegacyService } from './legacy.service';

/** The original system's production.json: import (validated, all or nothing) and export. */
@Module({
  imports: [DataModule],
  providers: [LegacyService],
  exports: [LegacyService],
})
export class LegacyModule {}
