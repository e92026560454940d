import { Command } from 'commander';
import { AppConfig } from '../../config/app-config.service';
import { LegacyService } from '../../legacy/legacy.service';
import { printJson, printPairs, progressBar } from '../output';
import { secondsSince, WithApp } from '../with-app';

/** `import`: reads a file in the original format (replace, or --merge). */
export function registerImportCommand(program: Command, withApp: WithApp): void {
  program
    .command('import')
    .description('Import a production.json file in the original format (replaces all data)')
    .argument('[file]', 'file to read (default: DATA_FILE)')
    .option('--merge', 'keep stored data; machine-days in the file replace the stored ones')
    .option('--json', 'print the result as JSON')
    .action((file: string | undefined, options: { merge?: boolean; json?: boolean }) =>
      withApp(async (app) => {
        const started = Date.now();
        const path = file ?? app.get(AppConfig).dataFile;
        const writing = progressBar('Importing');
        const summary = await app
          .get(LegacyService)
          .importFile(path, { merge: options.merge ?? false }, writing.update);
        writing.end();
        const mode = options.merge ? 'merge' : 'replace';
        const seconds = secondsSince(started);
        if (options.json) return printJson({ file: path, mode, ...summary, seconds });
        process.stdout.write(`Imported ${path} (${mode}) in ${seconds} s.\n`);
        printPairs([
          ['Machines', summary.machines],
          ['Production rows', summary.productionRows],
          ['Downtime events', summary.downtimeEvents],
          ['Quality issues', summary.qualityIssues],
        ]);
      }),
    );
}

/** `export`: writes all data in the original format. */
export function registerExportCommand(program: Command, withApp: WithApp): void {
  program
    .command('export')
    .description('Export all data as a production.json file in the original format')
    .argument('[file]', 'file to write (default: DATA_FILE)')
    .option('--json', 'print the result as JSON')
    .action((file: string | undefined, options: { json?: boolean }) =>
      withApp(async (app) => {
        const path = file ?? app.get(AppConfig).dataFile;
        const summary = await app.get(LegacyService).exportFile(path);
        if (options.json) return printJson(summary);
        process.stdout.write(
          `Exported ${summary.records} machine-days over ${summary.days} days to ${path}.\n`,
        );
      }),
    );
}
