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

  let sarcasm = false;
  const positives = contributions.filter((c) => c.value > 0);
  const negatives = contributions.filter((c) => c.value < 0);
  if (positives.length > 0 && (SARCASM_MARKERS.test(text) || (negatives.length === 0 && /\b(great|love|thanks|awesome|fantastic|perfect|wonderful|brilliant)\b/i.test(text) && COMPLAINT_CONTEXT.test(text) && /\b(again|another|hours?|still)\b/i.test(text)))) {
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
  return { label, score: round(score), confidence: round(confidence), evidence, raw, sarcasm };
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
