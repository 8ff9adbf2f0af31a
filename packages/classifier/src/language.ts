import { francAll } from 'franc-min';

// franc answers ISO 639-3; Chorus uses ISO 639-1 where one exists, as sources and experts do.
const ISO3_TO_1: Record<string, string> = {
  eng: 'en', fra: 'fr', spa: 'es', deu: 'de', por: 'pt', ita: 'it', nld: 'nl', rus: 'ru', ukr: 'uk', pol: 'pl',
  tur: 'tr', arb: 'ar', cmn: 'zh', jpn: 'ja', kor: 'ko', hin: 'hi', ben: 'bn', ind: 'id', zlm: 'ms', vie: 'vi',
  tha: 'th', swe: 'sv', dan: 'da', nob: 'no', fin: 'fi', ces: 'cs', ron: 'ro', hun: 'hu', ell: 'el', heb: 'he',
  pes: 'fa', urd: 'ur', tgl: 'tl', swh: 'sw', cat: 'ca', hrv: 'hr', srp: 'sr', bul: 'bg', slk: 'sk', uzn: 'uz',
};

// Function words settle close calls between franc's top candidates, which trigram statistics alone get wrong on
// short posts ("Missed my connection in Austin because the gate agent was rude" reads as French to trigrams).
const FUNCTION_WORDS: Record<string, Set<string>> = {
  eng: new Set('the and my is to was in of for with because on it this that you your i me at be are have not but so no was were will can'.split(' ')),
  fra: new Set('le la les et mon ma mes est de des du pour avec parce que sur ce cette vous votre je ne pas mais au aux une un été très'.split(' ')),
  spa: new Set('el la los las y mi mis es de del para con porque en este esta usted su yo no pero muy una un fue sin por que'.split(' ')),
  deu: new Set('der die das und mein meine ist zu war in von für mit weil auf es dies sie ihr ich nicht aber sehr ein eine wurde'.split(' ')),
  por: new Set('o a os as e meu minha é de do da para com porque em este esta você seu eu não mas muito um uma foi'.split(' ')),
  ita: new Set('il lo la gli le e mio mia è di del della per con perché in questo questa lei suo io non ma molto un una stato'.split(' ')),
  nld: new Set('de het en mijn is te was in van voor met omdat op dit dat u uw ik niet maar heel een werd'.split(' ')),
};

/** Function-word hits per language, best first. */
function functionWordCounts(prose: string, candidates: Iterable<string>): Array<[string, number]> {
  const words = prose.toLowerCase().split(/[^\p{L}']+/u).filter(Boolean);
  const out: Array<[string, number]> = [];
  for (const c of candidates) {
    const list = FUNCTION_WORDS[c];
    if (!list) continue;
    let n = 0;
    for (const w of words) if (list.has(w)) n++;
    out.push([c, n]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

/** The language with the most function words, if it has any and no other language ties it. */
function uniqueLeader(votes: Array<[string, number]>): string | undefined {
  const [first, second] = votes;
  return first && first[1] >= 1 && first[1] !== second?.[1] ? first[0] : undefined;
}

const COMMON = Object.keys(ISO3_TO_1);
const SHORT_TEXT_LETTERS = 80;

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
  // Fast path: most posts carry several function words of one language and none of the others'; trigram scoring
  // (franc, ~200 µs a post) is kept for the rest.
  const votes = functionWordCounts(prose, Object.keys(FUNCTION_WORDS));
  const top = votes[0];
  const runnerUp = votes[1]?.[1] ?? 0;
  if (top && ((top[1] >= 3 && top[1] >= 3 * runnerUp) || (top[1] >= 2 && runnerUp === 0))) {
    return { lang: ISO3_TO_1[top[0]]!, confidence: round(Math.min(0.95, 0.5 + 0.1 * (top[1] - runnerUp))) };
  }
  // Short posts are matched against widely used languages only: on a dozen words, trigram statistics otherwise find
  // Sundanese or Lingala in an English sentence.
  const ranked = francAll(prose, letters < SHORT_TEXT_LETTERS ? { minLength: MIN_LETTERS, only: COMMON } : { minLength: MIN_LETTERS });
  const best = ranked[0];
  if (!best || best[0] === 'und') return { lang: 'und', confidence: 0 };
  const second = ranked[1]?.[1] ?? 0;
  let code = best[0];
  if (1 - second < 0.15) {
    // A close call: let function words decide among the candidates within reach of the best.
    const close = ranked.filter(([, score]) => score >= 0.8).map(([c]) => c);
    code = uniqueLeader(votes.filter(([c]) => close.includes(c))) ?? code;
  }
  const lang = ISO3_TO_1[code] ?? code;
  return { lang, confidence: round(Math.max(0.05, Math.min(1, (1 - second) * 4))) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
