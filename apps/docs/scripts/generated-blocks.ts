/**
 * Generated blocks inside hand-written pages: `<!-- generated: NAME ARGS -->` ... `<!-- /generated -->`
 * is replaced at build time by what the generator NAME returns for ARGS, so the page's prose stays
 * in docs/ and its figures, tables and outputs come from the code.
 */

/** A generator of one kind of block: ARGS (the rest of the marker line) to Markdown. */
export type BlockGenerator = (args: string) => string | Promise<string>;

const BLOCK = /<!-- generated: ([a-z-]+)(?: ([^>]*?))? -->[\s\S]*?<!-- \/generated -->/g;

/**
 * `markdown` with every generated block filled in; throws naming the page and the block when a
 * block names no known generator, so a typo cannot ship an empty section.
 */
export async function fillGeneratedBlocks(
  markdown: string,
  page: string,
  generators: Readonly<Record<string, BlockGenerator>>,
): Promise<string> {
  const blocks = [...markdown.matchAll(BLOCK)];
  let out = markdown;
  for (const [whole, name = '', args = ''] of blocks) {
    const generate = generators[name];
    if (!generate) {
      throw new Error(
        `[docs] ${page}: unknown generated block "${name}" (known: ${Object.keys(generators).join(', ')})`,
      );
    }
    const body = await generate(args.trim());
    const filled = `<!-- generated: ${name}${args ? ` ${args}` : ''} -->\n${body.trim()}\n<!-- /generated -->`;
    out = out.replace(whole, () => filled);
  }
  return out;
}
