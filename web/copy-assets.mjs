// Copies the dashboard's static files and Chart.js (from npm: no CDN) next to the compiled page.
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';

const out = new URL('../dist/public/', import.meta.url);
cpSync(new URL('./public/', import.meta.url), out, { recursive: true });
mkdirSync(new URL('vendor/', out), { recursive: true });
copyFileSync(
  new URL('../node_modules/chart.js/dist/chart.umd.min.js', import.meta.url),
  new URL('vendor/chart.umd.min.js', out),
);
