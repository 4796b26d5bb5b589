import type { AnyNode } from 'domhandler';
import { DomHandler, Parser, type Tokenizer } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { SKIPPING_TOKENIZER, SkippingTokenizer } from '../../lib/core/extract/html-tokenizer.ts';

/** Every node with what the extractor reads of it, text nodes apart as the parser left them (not merged). */
function treeOf(pieces: string[], tokenizer?: typeof Tokenizer): string {
  const options = { xmlMode: false, decodeEntities: true, ...(tokenizer && { Tokenizer: tokenizer }) };
  const handler = new DomHandler(undefined, options);
  const parser = new Parser(handler, options);
  for (const piece of pieces) parser.write(piece);
  parser.end();
  const lines: string[] = [];
  const visit = (node: AnyNode, depth: number): void => {
    const named = 'attribs' in node ? `${node.name} ${JSON.stringify(node.attribs)}` : '';
    const data = 'data' in node ? JSON.stringify(node.data) : '';
    lines.push(`${' '.repeat(depth)}${node.type} ${named}${data}`);
    if ('children' in node) for (const child of node.children) visit(child, depth + 1);
  };
  visit(handler.root, 0);
  return lines.join('\n');
}

const PAGE = [
  '<!DOCTYPE html><html><head><title>Caf\u00e9 &amp; bar &lt;3</title>',
  '<style>p > a { content: "</p>" }</style>',
  '<script>if (a < b && c <d) x = "</scr" + "ipt>"; // <!-- not a comment</script>',
  '<script type="application/ld+json">{"name": "A &amp; B <i>"}</script></head>',
  '<body class="a  b" data-x=\'it\u2019s &quot;q&quot; & more\' data-u="?a=1&b=2&amp;c=3&copy" hidden>',
  '<p>One &amp two &#169; &#x41; &notanentity; &copy caf\u00e9 \u{1F370} <b>bold</b>tail &</p>',
  '<!-- a -- comment --> <!----> <![CDATA[ cdata <p> ]]> <?php echo 1 ?>',
  '<a href=unquoted&amp;x title="">empty</a><img src="x.png" alt="a \'b\' c"/>',
  '<textarea>&lt;raw&gt; <b>not bold</b></textarea><xmp><i></xmp>',
  '<div>unclosed <span title="left open',
].join('\n');

describe('SkippingTokenizer', () => {
  it('builds the tree the stock tokenizer builds, wherever the input is cut into pieces', () => {
    expect(treeOf([PAGE], SKIPPING_TOKENIZER)).toBe(treeOf([PAGE]));
    for (let cut = 1; cut < PAGE.length; cut++) {
      const pieces = [PAGE.slice(0, cut), PAGE.slice(cut)];
      expect(treeOf(pieces, SKIPPING_TOKENIZER), `cut at ${cut}`).toBe(treeOf(pieces));
    }
    const small = Array.from({ length: Math.ceil(PAGE.length / 3) }, (_, i) => PAGE.slice(i * 3, i * 3 + 3));
    expect(treeOf(small, SKIPPING_TOKENIZER)).toBe(treeOf(small));
  });

  it('passes over plain text, attribute values and scripts in a few steps (an upgrade that renames them fails here)', () => {
    const steps = { text: 0, value: 0, fastForward: 0 };
    class Counting extends SkippingTokenizer {
      override stateText(c: number): void {
        steps.text++;
        super.stateText(c);
      }
      override handleInAttributeValue(c: number, quote: number): void {
        steps.value++;
        super.handleInAttributeValue(c, quote);
      }
      override fastForwardTo(c: number): boolean {
        steps.fastForward++;
        return super.fastForwardTo(c);
      }
    }
    const long = 'x'.repeat(10_000);
    const html = `<p title="${long}">${long}</p><script>${long}</script>`;
    const tokenizer = Counting as unknown as typeof Tokenizer;
    expect(treeOf([html], tokenizer)).toBe(treeOf([html]));
    // Each: the first character (skipped to the end) and the character that ends it.
    expect(steps.text).toBeGreaterThan(0);
    expect(steps.text).toBeLessThanOrEqual(4);
    expect(steps.value).toBeGreaterThan(0);
    expect(steps.value).toBeLessThanOrEqual(4);
    expect(steps.fastForward).toBeGreaterThan(0);
    expect(steps.fastForward).toBeLessThanOrEqual(4);
  });
});
