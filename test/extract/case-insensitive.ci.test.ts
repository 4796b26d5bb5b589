import { describe, expect, it } from 'vitest';
import { caseInsensitiveSource } from '../../lib/core/extract/case-insensitive.ts';

function* everyCodePoint(): Generator<string> {
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++)
    if (codePoint < 0xd800 || codePoint > 0xdfff) yield String.fromCodePoint(codePoint);
}

describe('caseInsensitiveSource (every code point)', () => {
  it('rewrites \\b, \\W, \\w and \\p{L} with the characters `iu` adds to them, for every neighbouring code point', () => {
    const constructs = [
      String.raw`a\b`,
      String.raw`\ba`,
      String.raw`[\s\W]`,
      String.raw`\w`,
      String.raw`(?<!\p{L})a`,
      String.raw`a(?![\p{L}\p{N}])`,
      String.raw`[\p{L}-]`,
    ].map((construct) => ({
      construct,
      original: new RegExp(construct, 'iu'),
      written: new RegExp(caseInsensitiveSource(construct), 'u'),
    }));
    const differing: string[] = [];
    for (const char of everyCodePoint()) {
      const text = `${char}a${char}`;
      for (const { construct, original, written } of constructs)
        if (original.test(text) !== written.test(text))
          differing.push(`${construct} beside U+${char.codePointAt(0)!.toString(16)}`);
    }
    expect(differing).toEqual([]);
  });
});
