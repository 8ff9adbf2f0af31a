/** FNV-1a's offset basis (the usual seed) and prime; the prime also serves hashes built a character at a time. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a over a string's UTF-16 code units, from `seed`, as a signed 32-bit integer: the one string hash of the
 * classifier (feature hashing, deterministic splits and folds, the sentiment words' table). Fast and allocation-free;
 * not for anything an adversary chooses to collide.
 */
export function fnv1a(s: string, seed = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}
