import { detectNgrams } from './eld.js';
import type { Token } from './tokens.js';
import { infoOf, lookup, register } from './word-info.js';

// Function words decide most posts without n-gram statistics, and settle close calls between the detector's top
// candidates, which n-grams alone get wrong on short posts ("Missed my connection in Austin because the gate agent
// was rude" reads as French to trigrams).
const FUNCTION_WORDS: Record<string, Set<string>> = {
  en: words(`the and my is to was in of for with because on it this that you your i me at be are have not but so no were will can a an
    i'm it's we they he she our their what when how why where who just get got from as by or if do did does has had been there all out up
    about would could should again still now today thanks thank please any anyone know one some more than very really only after before
    over don't can't didn't won't it's that's there's been being into off via`),
  fr: words(`le la les et mon ma mes est de des du pour avec parce que sur ce cette vous votre je ne pas mais au aux une un été très
    comment il elle on qui ou y ai suis sont tout plus merci nous bien c'est j'ai n'est depuis encore toujours`),
  es: words(`el la los las y mi mis es de del para con porque en este esta usted su yo no pero muy una un fue sin por que cómo qué
    se lo le al más ya hay está son ha me te nos puedo tengo nadie todo gracias desde todavía`),
  de: words(`der die das und mein meine ist zu war in von für mit weil auf es dies sie ihr ich nicht aber sehr ein eine wurde wie
    kann meinen nach den dem im auch noch schon nur wir habe hat bin mir mich kein keine danke seit immer`),
  pt: words(`o a os as e meu minha é de do da para com porque em este esta você seu eu não mas muito um uma foi como posso
    não está são tem já mais obrigado obrigada nada ainda desde`),
  it: words(`il lo la gli le e mio mia è di del della per con perché in questo questa lei suo io non ma molto un una stato come
    posso sono ho ancora già più grazie niente`),
  nl: words(`de het en mijn is te was in van voor met omdat op dit dat u uw ik niet maar heel een werd hoe kan nog al ook
    zijn heb bedankt geen`),
};

function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}

const LANGS = Object.keys(FUNCTION_WORDS);
// Each function word's languages, as a bit set over LANGS, live in its shared entry (word-info.ts): one lookup a word.
LANGS.forEach((lang, bit) => {
  for (const w of FUNCTION_WORDS[lang]!) register(w).langs |= 1 << bit;
});

/** A function word of a language the detector knows ("the", "de", "und"): never a reason worth showing. */
export function isFunctionWord(norm: string): boolean {
  return lookup(norm).langs !== 0;
}

/**
 * Function-word votes per language, in LANGS order, from each word's languages (undefined when the post has none). A word of one language only is
 * a whole vote; a word several languages share ("in", "a", "de") is split between them, so it cannot decide alone.
 */
function functionWordCounts(langsOfWords: readonly number[]): number[] | undefined {
  let counts: number[] | undefined;
  for (const bits of langsOfWords) {
    if (bits === 0) continue;
    counts ??= new Array<number>(LANGS.length).fill(0);
    let shared = 0;
    for (let b = 0; b < LANGS.length; b++) if (bits & (1 << b)) shared++;
    for (let b = 0; b < LANGS.length; b++) if (bits & (1 << b)) counts[b]! += 1 / shared;
  }
  return counts;
}

/** The votes as [language, count] pairs, best first (only close calls need them all). */
function votesOf(counts: number[] | undefined): Array<[string, number]> {
  return LANGS.map((l, i): [string, number] => [l, counts?.[i] ?? 0]).sort((a, b) => b[1] - a[1]);
}

/** The language with the most function words, if it has any and no other language ties it. */
function uniqueLeader(votes: Array<[string, number]>): string | undefined {
  const [first, second] = votes;
  return first && first[1] >= 1 && first[1] !== second?.[1] ? first[0] : undefined;
}

/** Below this many letters the guess is noise: answer `und`. */
export const MIN_LETTERS = 12;

export interface LanguageGuess {
  lang: string;
  confidence: number;
}

/**
 * Detects the language of the prose of a post: its words, without URLs, handles and hashtags. Pass the post's tokens
 * when they are at hand (classify does) to skip tokenizing again. The confidence is the gap between the best and the
 * second-best candidate.
 */
export function detectLanguage(text: string, tokens?: readonly Token[]): LanguageGuess {
  const words: string[] = [];
  const langs: number[] = [];
  let letters = 0;
  if (tokens) {
    for (const t of tokens) {
      if (t.kind !== 'word') continue;
      words.push(t.norm);
      langs.push(infoOf(t).langs);
      letters += t.norm.length;
    }
  } else {
    const prose = text.replace(/https?:\/\/\S+|www\.\S+/g, ' ').replace(/[@#][\w_]+/g, ' ');
    for (const w of prose.toLowerCase().split(/[^\p{L}\p{M}'’]+/u)) {
      if (!w) continue;
      words.push(w);
      langs.push(lookup(w).langs);
      letters += w.length;
    }
  }
  if (letters < MIN_LETTERS) return { lang: 'und', confidence: 0 };
  // Fast path: most posts carry several function words of one language and none of the others'. The n-gram
  // detector (tens of µs a post) decides the rest.
  const counts = functionWordCounts(langs);
  if (counts) {
    // The leader and the runner-up in one pass; ties go to the language listed first, as a stable sort would.
    let top = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! > counts[top]!) top = i;
    let runnerUp = 0;
    for (let i = 0; i < counts.length; i++) if (i !== top) runnerUp = Math.max(runnerUp, counts[i]!);
    const best = counts[top]!;
    if (best >= 2 && best >= 4 * runnerUp) return { lang: LANGS[top]!, confidence: round(Math.min(0.95, 0.5 + 0.1 * (best - runnerUp))) };
  }
  const result = detectNgrams(words.join(' '));
  if (!result.language) return { lang: 'und', confidence: 0 };
  const ranked = result.ranked;
  const best = ranked[0]?.[1] ?? 0;
  const second = ranked[1]?.[1] ?? 0;
  const gap = best > 0 ? (best - second) / best : 0;
  let lang = result.language;
  if (gap < 0.1) {
    // A close call: let function words decide among the candidates within reach of the best.
    const close = new Set(ranked.filter(([, score]) => score >= best * 0.9).map(([c]) => c));
    lang = uniqueLeader(votesOf(counts).filter(([c]) => close.has(c))) ?? lang;
  }
  return { lang, confidence: round(Math.max(0.05, Math.min(1, gap * 2.5))) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
