import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { dirname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DataService, ProgressListener, WriteSummary } from '../data/data.service';
import { collectDataset } from '../data/dataset';
import { legacyPlant, toLegacyFile } from './legacy-export';
import { streamLegacyFile } from './legacy-import';

export interface ExportSummary {
  file: string;
  days: number;
  records: number;
}

/** Imports and exports files in the original system's production.json format. */
@Injectable()
export class LegacyService {
  constructor(private readonly data: DataService) {}

  /**
   * Replaces the dataset, streaming the file date by date into one transaction as it is
   * validated (memory holds one date, whatever the file's size): a problem anywhere in the file
   * rolls the whole import back. With `merge`, the file (a patch, usually small) is read and
   * validated whole, then machines are upserted and only the machine-days in it replaced.
   */
  async importFile(
    file: string,
    options: { merge: boolean },
    onProgress?: ProgressListener,
  ): Promise<WriteSummary> {
    const source = await streamLegacyFile(file);
    const origin = {
      source: 'import' as const,
      generatedAt: source.generatedAt ?? new Date().toISOString(),
    };
    if (!options.merge)
      return this.data.replaceInParts(source.plant, origin, source.days(), onProgress);
    const dataset = await collectDataset(source.plant, source.days());
    return this.data.mergeDataset(dataset, origin, onProgress);
  }

  /**
   * Writes the stored dataset a week of dates at a time (memory holds one week, whatever the
   * dataset's size); a temporary file is renamed into place, so a crash leaves no half file.
   */
  async exportFile(file: string): Promise<ExportSummary> {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    const out = createWriteStream(temporary, 'utf8');
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    const now = new Date();
    try {
      const summary = await this.data.readInParts(async ({ plant, origin, dates, parts }) => {
        const header = {
          generated_at: origin.generatedAt ?? now.toISOString(),
          start_date: dates?.first ?? '',
          end_date: dates?.last ?? '',
          ...legacyPlant(plant),
        };
        // The header without its closing brace, then the dates one by one.
        await write(`${JSON.stringify(header, null, 1).slice(0, -2)},\n "production": {`);
        let days = 0;
        let records = 0;
        for await (const part of parts) {
          const production = toLegacyFile({ ...plant, ...part }, origin, now).production;
          for (const [date, machines] of Object.entries(production)) {
            await write(
              `${days === 0 ? '' : ','}\n  ${JSON.stringify(date)}: ${JSON.stringify(machines, null, 1)}`,
            );
            days++;
            records += Object.keys(machines).length;
          }
        }
        await write('\n }\n}\n');
        return { days, records };
      });
      out.end();
      await finished(out);
      await rename(temporary, file);
      return { file, ...summary };
    } finally {
      out.destroy();
      await rm(temporary, { force: true });
    }
  }
}
