import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version of the package this was built from (dist/ sits beside package.json). */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return manifest.version;
}
