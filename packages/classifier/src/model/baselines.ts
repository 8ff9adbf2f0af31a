// natural's own modules, not its package root (which loads storage adapters that read .env files).
import { SentimentAnalyzer } from 'natural/lib/natural/sentiment';
import { PorterStemmer } from 'natural/lib/natural/stemmers';
import { WordTokenizer } from 'natural/lib/natural/tokenizers';
import { scoreSentiment } from '../sentiment.js';
import { sentimentWords } from '../sentiment-words.js';
import { tokenize } from '../tokens.js';

/** The lexicon-only reference: natural's AFINN analyser, > 0 positive, < 0 negative. */
export function afinnBaseline(): (text: string) => string {
  const analyzer = new SentimentAnalyzer('English', PorterStemmer, 'afinn');
  const tokenizer = new WordTokenizer();
  return (text) => {
    const s = analyzer.getSentiment(tokenizer.tokenize(text));
    return s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral';
  };
}

/** Chorus's rule-based scorer alone (lexicon, negation, emphasis, emoji, sarcasm cues). */
export function chorusLexicon(): (text: string) => string {
  return (text) => scoreSentiment(tokenize(text), text).label;
}

/** The product's default sentiment, which needs no training data: the rules and the shipped word model vote. */
export function chorusDefault(): (text: string) => string {
  const words = sentimentWords();
  return (text) => {
    const tokens = tokenize(text);
    return words.refine(tokens, scoreSentiment(tokens, text)).label;
  };
}
