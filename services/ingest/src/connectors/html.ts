import { decode } from 'html-entities';

/** Longest HTML read: mention text is cut at 20,000 characters anyway, and the work stays bounded. */
const MAX_HTML = 200_000;

/**
 * Plain text from the HTML that feeds and Mastodon carry: block ends and <br> become line breaks, tags go, scripts and
 * styles go with their content, entities are decoded, runs of blank space shrink. One pass over the input (a hostile
 * feed of "<<<<…" or an unclosed <script> costs no more than its length). Not a renderer: enough to classify and to
 * show in an inbox.
 */
export function htmlToText(html: string): string {
  const src = html.length > MAX_HTML ? html.slice(0, MAX_HTML) : html;
  let out = '';
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, lt);
    const gt = src.indexOf('>', lt + 1);
    // No '>' after this '<': none after any later '<' either; the rest is text.
    if (gt < 0) {
      out += src.slice(lt);
      break;
    }
    const tag = src.slice(lt + 1, gt);
    const name = /^\/?\s*([a-zA-Z0-9]+)/.exec(tag)?.[1]?.toLowerCase() ?? '';
    i = gt + 1;
    if ((name === 'script' || name === 'style') && !tag.startsWith('/')) {
      const end = src.toLowerCase().indexOf(`</${name}`, i);
      if (end < 0) break;
      const close = src.indexOf('>', end);
      i = close < 0 ? src.length : close + 1;
      out += ' ';
      continue;
    }
    if (name === 'br' || (tag.startsWith('/') && /^(p|div|li|h[1-6]|blockquote|tr)$/.test(name))) out += '\n';
  }
  const text = decode(out, { level: 'html5' });
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
