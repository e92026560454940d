import type { ApolloServerPlugin } from '@apollo/server';
import { printSchema } from 'graphql';

const SANDBOX_SCRIPT =
  'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js';
/** How long the page waits for Sandbox from Apollo's CDN before showing the offline page. */
const SANDBOX_WAIT_MS = 5_000;

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The page at GET /graphql: Sandbox when the browser reaches Apollo's CDN, else a local explorer. */
export function landingPageHtml(sdl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Factory Agent GraphQL</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; color: #1c2430; }
  #sandbox { height: 100vh; }
  #offline { display: none; padding: 1rem 1.5rem; max-width: 70rem; }
  body.offline #sandbox { display: none; } body.offline #offline { display: block; }
  textarea { width: 100%; font: 0.9rem ui-monospace, monospace; box-sizing: border-box; }
  pre { background: #f5f7fa; padding: 0.75rem; overflow: auto; font-size: 0.85rem; }
  button { font: inherit; padding: 0.35rem 0.8rem; }
</style>
</head>
<body>
<div id="sandbox"></div>
<main id="offline">
  <h1>Factory Agent GraphQL API</h1>
  <p>Apollo Sandbox could not be loaded: it comes from Apollo's CDN, which this browser cannot reach.
  Everything else works offline: the <a href="/">dashboard</a>, the API at <code>POST /graphql</code>,
  and this small explorer. Every operation is described in the project's <code>docs/api.md</code>.</p>
  <h2>Run an operation</h2>
  <label for="query">Query</label>
  <textarea id="query" rows="8">{
  factory { name timeZone today }
  dateRange { startDate endDate totalDays }
  machines { name type }
}</textarea>
  <label for="variables">Variables (JSON)</label>
  <textarea id="variables" rows="2">{}</textarea>
  <p><button type="button" id="run">Run</button></p>
  <pre id="result" aria-live="polite"></pre>
  <details><summary>Schema (SDL)</summary><pre id="schema">${escapeHtml(sdl)}</pre></details>
</main>
<script>
  const offline = () => document.body.classList.add('offline');
  const timer = setTimeout(offline, ${SANDBOX_WAIT_MS});
  const script = document.createElement('script');
  script.src = '${SANDBOX_SCRIPT}';
  script.onerror = () => { clearTimeout(timer); offline(); };
  script.onload = () => {
    clearTimeout(timer);
    new window.EmbeddedSandbox({
      target: '#sandbox',
      initialEndpoint: location.origin + '/graphql',
      includeCookies: false,
    });
  };
  document.head.append(script);
  document.getElementById('run').addEventListener('click', async () => {
    const result = document.getElementById('result');
    try {
      const variables = JSON.parse(document.getElementById('variables').value || '{}');
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document.getElementById('query').value, variables }),
      });
      result.textContent = JSON.stringify(await response.json(), null, 2);
    } catch (error) {
      result.textContent = String(error);
    }
  });
</script>
</body>
</html>`;
}

/**
 * Apollo's landing page for browsers at GET /graphql, in place of its default one: the default
 * loads Sandbox from a CDN and shows an empty page without internet, which a plant network often
 * is. This one falls back to a local explorer and the schema.
 */
export function landingPagePlugin(): ApolloServerPlugin {
  return {
    serverWillStart({ schema }) {
      const html = landingPageHtml(printSchema(schema));
      return Promise.resolve({ renderLandingPage: () => Promise.resolve({ html }) });
    },
  };
}

/** The page at GET /graphql while Sandbox and introspection are off: where to go instead. */
export const CLOSED_LANDING_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Factory Agent GraphQL</title>
<style>body { font-family: system-ui, sans-serif; color: #1c2430; padding: 1rem 1.5rem; max-width: 48rem; }</style>
</head>
<body>
<h1>Factory Agent GraphQL API</h1>
<p>The API answers <code>POST /graphql</code> (and subscriptions over WebSocket at the same path).
Its explorer and schema introspection are off on this server (<code>GRAPHQL_SANDBOX</code>; off by
default with <code>NODE_ENV=production</code>).</p>
<p>The <a href="/">dashboard</a> shows the figures. Every operation is described in the project's
<code>docs/api.md</code>, and the whole schema is its <code>src/schema.gql</code>.</p>
</body>
</html>`;

/** GET /graphql in a browser while Sandbox is off: a page that says where to go. */
export function closedLandingPagePlugin(): ApolloServerPlugin {
  return {
    serverWillStart() {
      return Promise.resolve({
        renderLandingPage: () => Promise.resolve({ html: CLOSED_LANDING_PAGE }),
      });
    },
  };
}
