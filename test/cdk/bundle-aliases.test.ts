import { readdir, readFile } from 'node:fs/promises';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { bundlingOptions } from '../../lib/cdk/bundling.ts';

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
    expect(bundlingOptions({ bundleAwsSdk: false, sourceMap: false })).toMatchObject({
      bundleAwsSDK: false,
      sourceMap: false,
    });
  });
});
