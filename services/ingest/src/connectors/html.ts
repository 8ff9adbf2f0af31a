import { decode } from 'html-entities';

/**
 * Plain text from the HTML that feeds and Mastodon carry: block ends and <br> become line breaks, tags go, entities
 * are decoded, runs of blank space shrink. Not a renderer: enough to classify and to show in an inbox.
 */
export function htmlToText(html: string): string {
  const noScripts = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  const breaks = noScripts.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|h[1-6]|blockquote|tr)\s*>/gi, '\n');
  const text = decode(breaks.replace(/<[^>]*>/g, ''), { level: 'html5' });
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
