// htmlparser2's Tokenizer with its "nothing happens here" stretches skipped by a native search. The stock one reads
// every character of text and of quoted attribute values through its state machine (the characters that matter
// there are only "<", "&" and the closing quote), and looks for the end of a script, style or comment with a
// JavaScript loop. Scripts, styles and tags are ~90 % of a page's characters, so this was most of the parse.
// The same callbacks come out in the same order with the same positions, so the tree is the same.
//
// Relies on the private state of htmlparser2 10.1.0's Tokenizer (pinned exactly in package.json):
// test/extract/html-tokenizer.test.ts fails if an upgrade renames what is overridden here.
import { Tokenizer } from 'htmlparser2';

const LESS_THAN = 0x3c;
const AMPERSAND = 0x26;
const DOUBLE_QUOTE = 0x22;

/** The parts of the stock Tokenizer read or replaced here (private in its type declarations). */
interface TokenizerInternals {
  /** The piece being read; `index` counts from the start of the whole input, `offset` is where `buffer` starts. */
  buffer: string;
  index: number;
  offset: number;
  write(chunk: string): void;
  reset(): void;
  stateText(c: number): void;
  handleInAttributeValue(c: number, quote: number): void;
  fastForwardTo(c: number): boolean;
}

const StockTokenizer = Tokenizer as unknown as new (
  ...args: ConstructorParameters<typeof Tokenizer>
) => TokenizerInternals;

export class SkippingTokenizer extends StockTokenizer {
  /**
   * The first "&" in `buffer` at or after `ampersandFrom` (-1: none; -2: not searched yet). Kept because "&" is rare:
   * searching again for each text or attribute value would read on to the next one, far away, every time.
   */
  private ampersandAt = -2;
  private ampersandFrom = 0;

  override write(chunk: string): void {
    this.ampersandAt = -2;
    super.write(chunk);
  }

  override reset(): void {
    this.ampersandAt = -2;
    super.reset();
  }

  /** Text: only "<" and "&" change the state; every other character is passed over at once. */
  override stateText(c: number): void {
    if (c === LESS_THAN || c === AMPERSAND) {
      super.stateText(c);
      return;
    }
    this.skipToBefore(this.buffer.indexOf('<', this.index + 1 - this.offset));
  }

  /** A quoted attribute value: only its quote and "&" change the state. */
  override handleInAttributeValue(c: number, quote: number): void {
    if (c === quote || c === AMPERSAND) {
      super.handleInAttributeValue(c, quote);
      return;
    }
    this.skipToBefore(this.buffer.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", this.index + 1 - this.offset));
  }

  /** As the stock loop: `index` ends on the next `c`, or on the last character read when there is none. */
  override fastForwardTo(c: number): boolean {
    const at = this.buffer.indexOf(String.fromCharCode(c), this.index + 1 - this.offset);
    if (at === -1) {
      this.index = this.buffer.length + this.offset - 1;
      return false;
    }
    this.index = at + this.offset;
    return true;
  }

  /**
   * Leaves `index` just before `stop` (a position in `buffer`, -1 for none) or before an "&" that comes first, so
   * the state machine's next step reads that character; before the end of the piece when neither comes.
   */
  private skipToBefore(stop: number): void {
    const from = this.index + 1 - this.offset;
    const ampersand = this.nextAmpersand(from);
    let at = stop;
    if (ampersand !== -1 && (at === -1 || ampersand < at)) at = ampersand;
    this.index = (at === -1 ? this.buffer.length : at) + this.offset - 1;
  }

  private nextAmpersand(from: number): number {
    if (
      this.ampersandAt === -2 ||
      from < this.ampersandFrom ||
      (this.ampersandAt !== -1 && this.ampersandAt < from)
    ) {
      this.ampersandAt = this.buffer.indexOf('&', from);
      this.ampersandFrom = from;
    }
    return this.ampersandAt;
  }
}

/** For htmlparser2's `Tokenizer` option, which is typed as the stock class. */
export const SKIPPING_TOKENIZER = SkippingTokenizer as unknown as typeof Tokenizer;
