import { readFileSync } from 'node:fs';
import { load } from 'cheerio/slim';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/extract.ts';
import { toPlainText } from '../../lib/core/extract/text.ts';
import { extractWithMarkdown, htmlToMarkdown, withoutTrackingParams } from '../../lib/core/markdown.ts';

const FIXTURE = new URL('../fixtures/markdown/structured-article.html', import.meta.url);
const PAGE_URL = 'https://courier.example/news/water-network';

function extracted() {
  const result = extractWithMarkdown({ html: readFileSync(FIXTURE), url: PAGE_URL });
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The text blocks a CommonMark renderer's HTML reads as, by the same rules as content.text. */
function renderedTextBlocks(markdown: string): string[] {
  const html = marked.parse(markdown, { async: false, gfm: true });
  return toPlainText(load(html).root().children().toArray()).split('\n\n');
}

describe('content.markdown', () => {
  const article = extracted();
  const markdown = article.content.markdown ?? '';

  it('renders (CommonMark + GFM) to the same text blocks as content.text', () => {
    expect(renderedTextBlocks(markdown)).toEqual(article.content.text.split('\n\n'));
  });

  it('keeps headings, both kinds of list, the quote, the code block and the table', () => {
    expect(markdown).toMatch(/^## The problem$/m);
    expect(markdown).toMatch(/^### What the survey found$/m);
    expect(markdown).toMatch(/^- Sixty per cent of the mains/m);
    expect(markdown).toMatch(/^1\. Map every valve/m);
    expect(markdown).toMatch(/^4\. Cut and cap the old pipe/m);
    expect(markdown).toMatch(/^> We told people the date/m);
    expect(markdown).toContain(
      '```\nif night_flow(district) > 1.3 * baseline(district):\n    alert("possible leak", district)',
    );
    expect(markdown).toMatch(/^\| Street +\| Length \(m\) +\| Cost \(EUR\) \|$/m);
    expect(markdown).toMatch(/^\| Station Road +\| 1,220 +\| 585,000 +\|$/m);
    // The table survives as a table: a renderer gives back its rows and cells.
    const rendered = load(marked.parse(markdown, { async: false, gfm: true }));
    expect(rendered('table tr')).toHaveLength(4);
    expect(rendered('ol > li')).toHaveLength(4);
    expect(rendered('ul > li')).toHaveLength(3);
    expect(rendered('blockquote')).toHaveLength(1);
    expect(rendered('pre > code').text()).toContain('alert("possible leak", district)');
  });

  it('writes links and images with absolute URLs, images with their alt text, links without tracking', () => {
    expect(markdown).toContain('[2021 condition report](https://utility.example/report-2021?page=4)');
    expect(markdown).toContain(
      '![Workers lowering a blue polyethylene pipe into a trench on Mill Lane](https://courier.example/images/trench-mill-lane.jpg "The new main going in on Mill Lane.")',
    );
    expect(markdown).not.toMatch(/utm_|\]\(\/(?!\/)/);
    expect(markdown).not.toMatch(/<[a-z]/i);
  });

  it('leaves the page chrome out, as content.html does', () => {
    expect(markdown).not.toContain('Most read');
    expect(markdown).not.toContain('Subscribe to our newsletter');
  });
});

describe('htmlToMarkdown', () => {
  it('strips only tracking parameters from links, and leaves what it cannot parse as it is', () => {
    expect(withoutTrackingParams('https://a.example/x?id=3&utm_campaign=s&fbclid=q#top')).toBe(
      'https://a.example/x?id=3#top',
    );
    expect(withoutTrackingParams('https://a.example/x?id=3')).toBe('https://a.example/x?id=3');
    expect(withoutTrackingParams('mailto:desk@courier.example')).toBe('mailto:desk@courier.example');
    const table = htmlToMarkdown(
      '<table><tr><th>a</th></tr><tr><td><a href="https://a.example/?gclid=1&amp;q=2">x</a></td></tr></table>',
    );
    expect(table).toContain('[x](https://a.example/?q=2)');
  });
});

describe('articles extract FILE --format markdown', () => {
  async function cli(args: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await run(args, {
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      stdin: process.stdin,
    });
    return { code, stdout, stderr };
  }

  it('prints only the Markdown; the JSON form carries it as content.markdown', async () => {
    const path = FIXTURE.pathname;
    const markdown = await cli([path, '--url', PAGE_URL, '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toEqual([extracted().content.markdown]);
    const json = await cli([path, '--url', PAGE_URL]);
    expect(JSON.parse(json.stdout[0] ?? '').content.markdown).toBe(markdown.stdout[0]);
  });

  it('refuses an unknown format with a usage error', async () => {
    await expect(cli([FIXTURE.pathname, '--format', 'docx'])).rejects.toThrow(/--format is json or markdown/);
  });
});
