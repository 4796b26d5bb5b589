import { readdir, readFile } from 'node:fs/promises';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  bundlingOptions,
  ENV_CREDENTIALS_MODULE,
  PROJECT_ROOT,
  parserEntitiesFiles,
} from '../../lib/cdk/bundling.ts';

describe('what the Lambda bundles import', () => {
  it('runtime code loads cheerio only through cheerio/slim (htmlparser2), so parse5, undici and iconv-lite stay out', async () => {
    const root = new URL('../../', import.meta.url);
    const offenders: string[] = [];
    let slimImports = 0;
    for (const folder of ['lib', 'lambdas']) {
      const files = (await readdir(new URL(`${folder}/`, root), { recursive: true })).filter((file) =>
        file.endsWith('.ts'),
      );
      for (const file of files) {
        const text = await readFile(new URL(`${folder}/${file}`, root), 'utf8');
        for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(cheerio(?:\/[\w-]+)?)'/gm)) {
          if (match[1]) continue; // type-only imports vanish at compile time
          if (match[2] === 'cheerio/slim') slimImports += 1;
          else offenders.push(`${folder}/${file}: ${match[2]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
    expect(slimImports).toBeGreaterThan(0);
  });
});

describe('bundling options', () => {
  it('build minified ESM with require() restored and the SDK bundled or not', () => {
    const bundled = bundlingOptions({ bundleAwsSdk: true, sourceMap: true });
    expect(bundled).toMatchObject({
      format: OutputFormat.ESM,
      minify: true,
      mainFields: ['module', 'main'],
      bundleAwsSDK: true,
      sourceMap: true,
      forceDockerBundling: false,
    });
    expect(bundled.banner).toContain('createRequire(import.meta.url)');
    expect(bundled.esbuildArgs).toMatchObject({ '--charset': 'utf8' });
    const plain = bundlingOptions({ bundleAwsSdk: false, sourceMap: false });
    expect(plain).toMatchObject({ bundleAwsSDK: false, sourceMap: false });
    expect(plain.sourceMapMode).toBeUndefined();
  });

  it("alias the default credential chain to the env-only provider and entities to the parser's copy", () => {
    const aliases = bundlingOptions({ bundleAwsSdk: true, sourceMap: false }).esbuildArgs?.['--alias'];
    expect(aliases).toEqual([
      `@aws-sdk/credential-provider-node=${ENV_CREDENTIALS_MODULE}`,
      `entities/decode=${parserEntitiesFiles().decode}`,
      `entities=${parserEntitiesFiles().escape}`,
    ]);
    expect(parserEntitiesFiles().decode).toMatch(/[\\/]entities[\\/]dist[\\/]esm[\\/]decode\.js$/);
  });

  it('a bundle with the entities aliases parses and serializes exactly as cheerio does unbundled', async () => {
    const html = '<p title="a&amp;b &quot;q&quot;">caf&eacute; &lt;x&gt; &mdash; &#169; &nbsp;<br>é</p>';
    const script = `import { load } from 'cheerio/slim';
      const $ = load(${JSON.stringify(html)});
      export const out = [$('p').text(), $('p').attr('title'), $.html(), $.xml()];`;
    const entities = parserEntitiesFiles();
    const result = await build({
      stdin: { contents: script, resolveDir: PROJECT_ROOT, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      alias: { 'entities/decode': entities.decode, entities: entities.escape },
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    // Only the parser's entities package is in the bundle, and not its encode tables.
    expect(inputs.filter((path) => /[\\/]entities[\\/]/.test(path) && !path.includes('htmlparser2'))).toEqual(
      [],
    );
    expect(inputs.some((path) => path.includes('encode-html'))).toBe(false);
    const bundled = await import(
      `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]?.text ?? '').toString('base64')}`
    );
    const { load } = await import('cheerio/slim');
    const $ = load(html);
    expect(bundled.out).toEqual([$('p').text(), $('p').attr('title'), $.html(), $.xml()]);
  });
});
