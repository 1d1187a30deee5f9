/**
 * Characters per token assumed for English text, code and JSON. The tokenizer of current Claude
 * models is not published (`@anthropic-ai/tokenizer` is not accurate from Claude 3 on); 3.5 is
 * at the low end of the usual 3.5-4 characters per token of English and code, so estimates err
 * on the side of more tokens.
 */
export const CHARS_PER_TOKEN = 3.5;

/**
 * A conservative estimate of the tokens a text costs a Claude model: ASCII characters / 3.5,
 * plus one token per non-ASCII character (accented letters, CJK, emoji tokenize far worse than
 * ASCII), rounded up. Over-estimates rather than under-estimates, so a handoff said to fit in N
 * tokens does.
 *
 * @example
 * estimateTokens('Fix the failing tests in src/') // 9
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) ascii++;
    else if (code >= 0xdc00 && code <= 0xdfff)
      continue; // the second half of a surrogate pair
    else other++;
  }
  return Math.ceil(ascii / CHARS_PER_TOKEN + other);
}

/**
 * The tokens of a file of `bytes` bytes, estimated like {@link estimateTokens} counts ASCII
 * text (bytes / 3.5, rounded up): used for a transcript, whose bytes are mostly ASCII JSON.
 *
 * @example
 * estimateTokensFromBytes(350_000) // 100000
 */
export function estimateTokensFromBytes(bytes: number): number {
  return Math.ceil(bytes / CHARS_PER_TOKEN);
}
