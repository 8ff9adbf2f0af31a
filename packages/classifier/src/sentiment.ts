import type { SentimentLabel } from '@chorus/schemas';
import { CONTRAST, EMOJI_VALENCE, EMOTICON_VALENCE, INTENSIFIERS, VALENCE } from './lexicons.js';
import { collapseRepeats, type Token } from './tokens.js';
import { CLAUSE_END, infoOf, lookup, NEGATION_SCOPE, negates, register } from './word-info.js';

export interface SentimentResult {
  label: SentimentLabel;
  score: number;
  confidence: number;
  evidence: string[];
  /** Sum of valences before squashing; the risk scorer uses it for anger. */
  raw: number;
  sarcasm: boolean;
  /** A complaint told by its situation rather than by feeling words ("on hold for 2 hours", "still no refund"). */
  complaint: boolean;
}


// What the lexicons say of a word (negator, contrast, intensity, valence) lives in its shared entry (word-info.ts,
// which marks the negators itself):
// most words are in none, and one lookup answers all four questions, and the other stages' too.
for (const w of CONTRAST) register(w).contrast = true;
for (const [w, x] of INTENSIFIERS) register(w).intensity = x;
for (const [w, v] of VALENCE) register(w).valence = v;
const IMPATIENT = new Set(['any', 'anymore', 'longer', 'much', 'forever', 'all']);
const NEUTRAL_BAND = 0.05;
// VADER's normalisation constant: raw sums of ±4 map near ±0.7.
const ALPHA = 15;

const SARCASM_MARKERS = /(^|\s)\/s\b|\byeah,? right\b|\bthanks for nothing\b|\bjust what i needed\b|\boh great\b|\bwhat a surprise\b|\bas usual\b|\bslow clap\b|🙄/i;
// Situations that are complaints whatever the words around them: a wait of some length ("on hold 2 hours", "waited
// 45 min", "3 hours on the tarmac"), being stuck somewhere, a thing still not done ("still waiting for my refund",
// "still no reply"), a thing never done ("never received", "hasn't arrived"), not getting through ("can't get
// through", "unable to log in"), sarcastic thanks for a non-answer ("thanks for the canned reply"), and pleas for help
// with "!!". Each is a whole phrase, so a post mentioning a wait or help in passing is not caught.
const DURATION = String.raw`(?:(?:\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|several|many|few|couple(?: of)?|over an?|more than an?|almost an?|nearly an?)\s*\+?\s*(?:more\s+)?(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?)|hours|days|weeks|months|ages|forever)`;
const SITUATIONS: RegExp[] = [
  new RegExp(String.raw`\b(?:on hold|holding|waiting|waited|wait(?:ing)? time|stuck|stranded|delayed|queued?|queuing)\s+(?:(?:on|in|at)\s+(?:the\s+)?\w+\s+)?(?:for\s+)?(?:over\s+|almost\s+|nearly\s+|about\s+|like\s+)?${DURATION}\b`, 'i'),
  new RegExp(String.raw`\b${DURATION}\s+(?:on hold|of waiting|waiting|wait|in line|in queue|on the (?:phone|tarmac|runway|plane)|late|delay(?:ed)?)\b`, 'i'),
  /\b(?:stuck|stranded|trapped) (?:at|in|on)\b/i,
  /\bstill (?:no|nothing|waiting|haven'?t|hasn'?t|didn'?t|can'?t|cannot|without|stuck|on hold|broken|missing|no ?one)\b/i,
  /\b(?:never|not yet|haven'?t|hasn'?t|didn'?t|still not) (?:been )?(?:received|receive|arrived|arrive|got|gotten|heard back|showed up|delivered|refunded|called back|responded|answered|fixed|resolved)\b/i,
  /\b(?:can'?t|cannot|couldn'?t|unable to) (?:get through|get a hold|reach (?:anyone|anybody|a human|someone|you)|log ?in|sign in|connect|access my)\b/i,
  /\bno (?:one|body) (?:answers|answered|is answering|picks up|picked up|responds|responded|helps|helped|cares)\b/i,
  /\bthanks? (?:you )?for (?:the |your )?(?:canned|automated|generic|scripted|copy[- ]?(?:and[- ])?paste[d]?|useless|non[- ]?answer|form|robotic|auto)\w*\b/i,
  /\b(?:help(?: (?:me|us|please))?|please help|sos)\s*!{2,}/i,
  /\b(?:you|u) owe (?:us|me|everyone|your customers) (?:an? )?(?:explanation|apology|answer|refund)\b/i,
];
// Words one of the situations needs: a post with none of them skips the patterns (most posts).
const SITUATION_CUES = new Set(['hold', 'holding', 'waiting', 'waited', 'wait', 'stuck', 'stranded', 'trapped', 'delayed', 'late', 'delay', 'queue', 'queued', 'queuing', 'line', 'still', 'never', 'yet', "haven't", 'havent', "hasn't", 'hasnt', "didn't", 'didnt', "can't", 'cant', 'cannot', "couldn't", 'couldnt', 'unable', 'one', 'body', 'thanks', 'thank', 'help', 'sos', 'hours', 'hour', 'hrs', 'hr', 'minutes', 'mins', 'days', 'weeks', 'months', 'owe']);
const SITUATION_VALUE = -2.5;

function situation(tokens: Token[], text: string): string | undefined {
  let cued = false;
  for (const t of tokens) if (t.kind === 'word' && SITUATION_CUES.has(t.norm)) cued = true;
  if (!cued) return undefined;
  for (const re of SITUATIONS) {
    const m = re.exec(text);
    if (m) return m[0].trim();
  }
  return undefined;
}

const COMPLAINT_CONTEXT = /\b(delay(ed)?|cancel+ed|lost|stuck|waiting|wait(ed)?|hold|hours?|again|broke(n)?|missing|stranded|refund|charged)\b/i;

/**
 * Lexicon sentiment with the rules social text needs: negation flips the next few words, intensifiers scale them,
 * "but" moves the weight to the second clause, all-caps, elongation and "!!!" amplify, emoji and emoticons count, and
 * cheap sarcasm cues ("great, delayed again 🙄") turn praise words into complaints.
 */
export function scoreSentiment(tokens: Token[], text: string): SentimentResult {
  const contributions: Array<{ term: string; value: number }> = [];
  let negateLeft = 0;
  let boost = 1;
  let contrastAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct') {
      if (CLAUSE_END.test(t.norm)) negateLeft = 0;
      continue;
    }
    if (t.kind === 'emoji') {
      const v = EMOJI_VALENCE.get(t.norm) ?? EMOJI_VALENCE.get(t.norm.replace(/\p{Emoji_Modifier}/gu, ''));
      if (v !== undefined) contributions.push({ term: t.raw, value: v });
      continue;
    }
    if (t.kind === 'emoticon') {
      const hit = EMOTICON_VALENCE.find(([re]) => re.test(t.norm));
      if (hit) contributions.push({ term: t.raw, value: hit[1] });
      continue;
    }
    if (t.kind !== 'word' && t.kind !== 'hashtag') continue;
    const role = infoOf(t);
    if (negates(t)) {
      negateLeft = NEGATION_SCOPE;
      continue;
    }
    if (role.contrast) {
      contrastAt = contributions.length;
      negateLeft = 0;
      continue;
    }
    const intensity = role.intensity;
    if (intensity !== undefined && i + 1 < tokens.length) {
      boost *= intensity;
      continue;
    }
    // As written, then, for a word written long, with repeated letters collapsed ("sooo" → "soo" → "so"): only when
    // the first lookup failed, and never for words merely spelt with a double letter ("book" is not "bok").
    let v = t.norm === 'like' && !likesSomething(tokens, i) ? undefined : role.valence;
    if (negateLeft === NEGATION_SCOPE && (t.norm === 'wait' || t.norm === 'waitt') && !IMPATIENT.has(tokens[i + 1]?.norm ?? '')) {
      // "can't wait" is eagerness, not a negated wait ("can't wait any longer" is not).
      contributions.push({ term: `${tokens[i - 1]?.raw ?? ''} ${t.raw}`.trim(), value: 2.5 * boost });
      negateLeft = 0;
      boost = 1;
      continue;
    }
    if (v === undefined && t.elongated) {
      const single = collapseRepeats(t.norm);
      if (single !== t.norm) v = lookup(single).valence;
    }
    if (v === undefined) {
      negateLeft = Math.max(0, negateLeft - 1);
      boost = 1;
      continue;
    }
    let value = v * boost;
    if (t.allCaps) value *= 1.5;
    if (t.elongated) value *= 1.3;
    let term = t.raw;
    if (negateLeft > 0) {
      // "not good" is milder than "bad"; "not bad" is mildly positive.
      value = -value * 0.6;
      term = `not ${t.raw}`;
      negateLeft = 0;
    }
    contributions.push({ term, value });
    boost = 1;
  }

  // The clause after "but" outweighs the one before.
  if (contrastAt > 0 && contrastAt < contributions.length) {
    contributions.forEach((c, i) => (c.value *= i < contrastAt ? 0.5 : 1.5));
  }

  const told = situation(tokens, text);
  if (told) contributions.push({ term: told, value: SITUATION_VALUE });
  let sarcasm = false;
  const positives = contributions.filter((c) => c.value > 0);
  const negatives = contributions.filter((c) => c.value < 0);
  // Praise beside a situational complaint ("great, on hold for 2 hours", "thanks for the canned reply") is sarcasm.
  if (positives.length > 0 && (told !== undefined || SARCASM_MARKERS.test(text) || (negatives.length === 0 && /\b(great|love|thanks|awesome|fantastic|perfect|wonderful|brilliant)\b/i.test(text) && COMPLAINT_CONTEXT.test(text) && /\b(again|another|hours?|still)\b/i.test(text)))) {
    sarcasm = true;
    for (const c of positives) c.value = -Math.abs(c.value) * 0.8;
  }

  let raw = contributions.reduce((s, c) => s + c.value, 0);
  const bangs = (text.match(/!/g) ?? []).length;
  if (raw !== 0 && bangs > 0) raw *= 1 + 0.1 * Math.min(bangs, 4);
  const score = raw / Math.sqrt(raw * raw + ALPHA);
  const label: SentimentLabel = score >= NEUTRAL_BAND ? 'positive' : score <= -NEUTRAL_BAND ? 'negative' : 'neutral';
  // Confident when the evidence is strong and one-sided; a neutral call is confident when nothing carried valence.
  const mixed = positives.length > 0 && negatives.length > 0 && !sarcasm ? 0.15 : 0;
  const confidence = label === 'neutral' ? (contributions.length === 0 ? 0.6 : 0.45) : Math.min(0.99, 0.5 + Math.abs(score) * 0.5 - mixed);
  const evidence = [...contributions]
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 5)
    .map((c) => c.term);
  return { label, score: round(score), confidence: round(confidence), evidence, raw, sarcasm, complaint: told !== undefined };
}

// "like" is a feeling only as a verb after its subject ("I like", "we really like", "don't like"); far more often it
// compares or fills ("looks like rain", "like 3 hours", "like, why"), which says nothing about how the author feels.
const LIKE_SUBJECTS = new Set(['i', 'we', 'you', 'u', 'they', 'people', 'really', 'also', 'just', 'actually', 'totally', 'definitely', 'still', 'do', 'did', 'does', 'ever', 'always', 'truly', 'genuinely', 'kinda', 'all']);

function likesSomething(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  return prev !== undefined && (prev.kind === 'word' || prev.kind === 'hashtag') && (LIKE_SUBJECTS.has(prev.norm) || negates(prev));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
