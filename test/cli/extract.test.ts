import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../../lib/cli/extract.ts';
import { UsageError } from '../../lib/cli/io.ts';
import { Article } from '../../lib/core/article.ts';
import { cliCommand } from '../helpers/cli-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/metadata/pages/news-article.html', import.meta.url));
const ARTICLE_URL = 'https://ledger.example.com/news/2024/harbour-ferry-returns';

async function extractCli(args: string[], stdinText = '') {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const code = await run(args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    stdin,
  });
  return { code, stdout, stderr };
}

describe('articles extract FILE', () => {
  it('prints the Article as JSON on stdout and nothing else', async () => {
    const { code, stdout, stderr } = await extractCli([FIXTURE, '--url', `${ARTICLE_URL}?utm_source=x`]);
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout).toHaveLength(1);
    const article = Article.parse(JSON.parse(stdout[0] ?? ''));
    expect(article.url).toBe(ARTICLE_URL);
    expect(article.sourceUrl).toBe(`${ARTICLE_URL}?utm_source=x`);
  });

  it('without --url, uses a placeholder https://example.invalid/<file name> as the source URL', async () => {
    const { code, stdout } = await extractCli([`--url=${ARTICLE_URL}`, FIXTURE]);
    expect(code).toBe(0);
    const withoutUrl = await extractCli([FIXTURE]);
    expect(withoutUrl.code).toBe(0);
    const article = JSON.parse(withoutUrl.stdout[0] ?? '') as Article;
    expect(article.sourceUrl).toBe('https://example.invalid/news-article.html');
    // The page's own rel=canonical still resolves against it.
    expect(article.url).toBe('https://example.invalid/news/2024/harbour-ferry-returns');
    expect(JSON.parse(stdout[0] ?? '').title).toBe(article.title);
  });

  it('reports an unreadable file on stderr with a non-zero exit', async () => {
    const { code, stdout, stderr } = await extractCli(['/no/such/file.html']);
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toMatch(/cannot read \/no\/such\/file\.html: no such file/);
  });

  it('reports a page without an article with its error code', async () => {
    const { code, stderr } = await extractCli([
      fileURLToPath(new URL('../fixtures/metadata/pages/no-article.html', import.meta.url)),
    ]);
    expect(code).toBe(1);
    expect(stderr.join('\n')).toMatch(/NO_ARTICLE/);
  });

  it.each([
    [[], /missing FILE/],
    [['--bogus'], /unknown option --bogus/],
    [['a.html', 'b.html'], /only one FILE/],
    [['a.html', '--url'], /--url needs a value/],
    [['--jsonl', 'a.html'], /takes no FILE/],
  ])('rejects bad arguments %j with a UsageError', async (args, message) => {
    await expect(extractCli(args)).rejects.toThrow(UsageError);
    await expect(extractCli(args)).rejects.toThrow(message);
  });
});

describe('articles extract --jsonl', () => {
  it('writes one line per input line, in order, with errors in-band', async () => {
    const html =
      '<html><head><title>Short page</title></head><body><article><h1>Short page</h1><p>One paragraph of article text that is long enough to count as content for the extractor.</p></article></body></html>';
    const input = [
      JSON.stringify({ url: `${ARTICLE_URL}?fbclid=1`, file: FIXTURE }),
      'this is not json',
      JSON.stringify({ url: 'https://b.example/short', html }),
      '',
      JSON.stringify({ file: FIXTURE }),
      JSON.stringify({ url: 'https://c.example/missing', file: '/no/such/file.html' }),
      JSON.stringify({ url: 'https://d.example/empty', html: '<html><body></body></html>' }),
      JSON.stringify([1, 2]),
    ].join('\n');
    const { code, stdout, stderr } = await extractCli(['--jsonl'], `${input}\n`);
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    const lines = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    expect(Article.parse(lines[0]).url).toBe(ARTICLE_URL);
    expect(lines[1]).toEqual({
      url: null,
      error: { code: 'BAD_REQUEST', message: 'line 2 is not valid JSON' },
    });
    expect(Article.parse(lines[2]).title).toBe('Short page');
    expect(lines[2]).toMatchObject({ pageType: 'article' });
    expect(lines[3]).toMatchObject({ url: null, error: { code: 'BAD_REQUEST' } });
    expect(lines[4]).toMatchObject({ url: 'https://c.example/missing', error: { code: 'NOT_FOUND' } });
    expect(lines[5]).toMatchObject({ url: 'https://d.example/empty', error: { code: 'NO_ARTICLE' } });
    expect(lines[6]).toMatchObject({ url: null, error: { code: 'BAD_REQUEST' } });
  });
});

describe('the real command', () => {
  const execFileAsync = promisify(execFile);

  it('runs through bin/articles.ts and prints only JSON on stdout', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      cliCommand('articles', 'extract', FIXTURE, '--url', ARTICLE_URL),
      { cwd: ROOT },
    );
    expect(Article.parse(JSON.parse(stdout)).url).toBe(ARTICLE_URL);
  });

  it('exits with 2 and a usage message on bad arguments', async () => {
    const failure = await execFileAsync(process.execPath, cliCommand('articles', 'extract'), {
      cwd: ROOT,
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr).toMatch(/missing FILE/);
  });
});
