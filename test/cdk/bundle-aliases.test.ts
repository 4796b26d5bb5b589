import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ALIASES, bundlingOptions } from '../../lib/cdk/bundling.ts';
import * as cheerioShim from '../../lib/cdk/shims/cheerio.ts';

describe('bundle aliases', () => {
  it('the cheerio shim hands out the very functions the code and its tests use', () => {
    expect(cheerioShim.load).toBe(cheerio.load);
    expect(cheerioShim.contains).toBe(cheerio.contains);
    expect(cheerioShim.merge).toBe(cheerio.merge);
    const $ = cheerioShim.load('<p>one<br>two</p>');
    expect($('p').text()).toBe('onetwo');
  });
});

describe('cheerio shim coverage', () => {
  it('exports every value the pipeline code imports from cheerio', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const root = new URL('../../', import.meta.url);
    const files = (await readdir(new URL('lib/', root), { recursive: true })).filter((file) =>
      file.endsWith('.ts'),
    );
    const imported = new Set<string>();
    for (const file of files) {
      const text = await readFile(new URL(`lib/${file}`, root), 'utf8');
      for (const match of text.matchAll(/import\s+\{([^}]*)\}\s+from\s+'cheerio'/g)) {
        for (const part of (match[1] ?? '').split(',')) {
          const name = part.trim();
          if (name && !name.startsWith('type ')) imported.add(name.split(/\s+as\s+/)[0]!);
        }
      }
    }
    expect(imported.size).toBeGreaterThan(0);
    for (const name of imported) expect(cheerioShim, name).toHaveProperty(name);
  });
});

describe('bundling options', () => {
  it('build minified ESM with require() restored, the shims aliased and the SDK bundled or not', () => {
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
    expect(bundled.esbuildArgs).toMatchObject({
      '--alias:cheerio': BUNDLE_ALIASES.cheerio,
      '--charset': 'utf8',
    });
    expect(bundlingOptions({ bundleAwsSdk: false, sourceMap: false })).toMatchObject({
      bundleAwsSDK: false,
      sourceMap: false,
    });
  });
});
