import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { DataService, ProgressListener, WriteSummary } from '../data/data.service';
import { toLegacyFile } from './legacy-export';
import { parseLegacyFile } from './legacy-import';

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
   * Validates the whole file first; writes only when it is valid, in one transaction. Replaces the
   * dataset, or with `merge` upserts machines and replaces only the machine-days in the file.
   */
  async importFile(
    file: string,
    options: { merge: boolean },
    onProgress?: ProgressListener,
  ): Promise<WriteSummary> {
    const text = await readText(file);
    const { dataset, generatedAt } = parseLegacyFile(text, file);
    const origin = {
      source: 'import' as const,
      generatedAt: generatedAt ?? new Date().toISOString(),
    };
    return options.merge
      ? this.data.mergeDataset(dataset, origin, onProgress)
      : this.data.replaceDataset(dataset, origin, onProgress);
  }

  /** Writes the stored dataset; a temporary file is renamed into place so a crash leaves no half file. */
  async exportFile(file: string): Promise<ExportSummary> {
    const { dataset, origin } = await this.data.readDataset();
    const legacy = toLegacyFile(dataset, origin, new Date());
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(legacy, null, 1) + '\n', 'utf8');
    await rename(temporary, file);
    const days = Object.keys(legacy.production);
    return {
      file,
      days: days.length,
      records: days.reduce((n, date) => n + Object.keys(legacy.production[date]).length, 0),
    };
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code;
    throw new BadInputError(`Cannot read ${file}: ${reason ?? String(error)}`);
  }
}
