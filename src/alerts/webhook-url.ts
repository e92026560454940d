/** A webhook URL without its credentials and query string, safe to log and to show. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    // Not a URL: what comes before any credentials or query, so neither is shown.
    return JSON.stringify(url.replace(/\/\/[^/?#]*@/, '//***@').replace(/[?#].*$/, ''));
  }
}
