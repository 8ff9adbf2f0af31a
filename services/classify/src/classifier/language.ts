import { francAll } from 'franc-min';

// franc answers ISO 639-3; Chorus uses ISO 639-1 where one exists, as sources and experts do.
const ISO3_TO_1: Record<string, string> = {
  eng: 'en', fra: 'fr', spa: 'es', deu: 'de', por: 'pt', ita: 'it', nld: 'nl', rus: 'ru', ukr: 'uk', pol: 'pl',
  tur: 'tr', arb: 'ar', cmn: 'zh', jpn: 'ja', kor: 'ko', hin: 'hi', ben: 'bn', ind: 'id', zlm: 'ms', vie: 'vi',
  tha: 'th', swe: 'sv', dan: 'da', nob: 'no', fin: 'fi', ces: 'cs', ron: 'ro', hun: 'hu', ell: 'el', heb: 'he',
  pes: 'fa', urd: 'ur', tgl: 'tl', swh: 'sw', cat: 'ca', hrv: 'hr', srp: 'sr', bul: 'bg', slk: 'sk', uzn: 'uz',
};

/** Below this many letters the guess is noise: answer `und`. */
export const MIN_LETTERS = 12;

export interface LanguageGuess {
  lang: string;
  confidence: number;
}

/**
 * Detects the language of the text without URLs, handles and hashtags (they are not prose). The confidence is the gap
 * between the best and the second-best candidate, which franc scores relative to the best (1.0).
 */
export function detectLanguage(text: string): LanguageGuess {
  const prose = text
    .replace(/https?:\/\/\S+|www\.\S+/g, ' ')
    .replace(/[@#][\w_]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const letters = prose.replace(/[^\p{L}]/gu, '').length;
  if (letters < MIN_LETTERS) return { lang: 'und', confidence: 0 };
  const ranked = francAll(prose, { minLength: MIN_LETTERS });
  const best = ranked[0];
  if (!best || best[0] === 'und') return { lang: 'und', confidence: 0 };
  const second = ranked[1]?.[1] ?? 0;
  const lang = ISO3_TO_1[best[0]] ?? best[0];
  return { lang, confidence: round(Math.max(0.05, Math.min(1, (1 - second) * 4))) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
