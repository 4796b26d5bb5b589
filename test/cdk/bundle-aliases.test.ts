import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lib/api/openapi.ts';
import {
  ENV_CREDENTIALS_MODULE,
  esmExport,
  HE_MODULE,
  lambdaEntry,
  PROJECT_ROOT,
} from '../../lib/cdk/bundling.ts';
import {
  lambdaBuildOptions,
  prebuiltOpenApiPlugin,
  sdkSchemaKeysPlugin,
} from '../../lib/cdk/lambda-bundle.ts';

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
    // extract() no longer loads cheerio at all (stages take the parsed document); cheerio/slim stays the only way in.
    expect(slimImports).toBeGreaterThanOrEqual(0);
  });
});

describe('the locked dependency tree', () => {
  it("gives cheerio's serializer the parser's entities (package.json overrides), so no bundle carries v4's tables", async () => {
    // dom-serializer 2.0.0 asks for entities ^4, whose index builds its decode and encode tables (~90 KB, ~27 M
    // instructions) at every process start for the three escape functions it uses; v7 has the same three.
    // Read from the lock file, not node_modules: a tree installed before the override still works, only bigger.
    const { packages } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    // Node resolves a nested copy first, then the top-level one.
    const entitiesFor = (dependent: string) =>
      packages[`node_modules/${dependent}/node_modules/entities`] ?? packages['node_modules/entities'];
    expect(entitiesFor('dom-serializer')?.version).toBe(entitiesFor('htmlparser2')?.version);
  });
});

describe('bundling options', () => {
  const entry = lambdaEntry('query');
  it('build minified ESM (index.mjs, lazy imports as chunks) with require() restored, the SDK bundled or not, source maps only when asked', () => {
    const bundled = lambdaBuildOptions({ entry, outdir: '/out', bundleAwsSdk: true, sourceMap: false });
    expect(bundled).toMatchObject({
      format: 'esm',
      platform: 'node',
      minify: true,
      charset: 'utf8',
      mainFields: ['module', 'main'],
      external: ['bowser'],
      sourcemap: false,
      entryPoints: { index: entry },
      outdir: '/out',
      outExtension: { '.js': '.mjs' },
      splitting: true,
    });
    expect(bundled.banner?.js).toContain('createRequire(import.meta.url)');
    expect(bundled.plugins?.map((plugin) => plugin.name)).toEqual([
      'sdk-schema-literal-keys',
      'prebuilt-openapi',
      'event-streams-on-first-use',
    ]);
    const external = lambdaBuildOptions({ entry, outdir: '/out', bundleAwsSdk: false, sourceMap: true });
    expect(external).toMatchObject({
      external: ['@aws-sdk/*', 'bowser'],
      sourcemap: true,
      sourcesContent: false,
    });
  });

  it("alias the default credential chain to the env-only provider and entities to the parser's copy", () => {
    const { alias } = lambdaBuildOptions({ entry, outdir: '/out', bundleAwsSdk: true, sourceMap: false });
    expect(alias).toEqual({
      '@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE,
      'entities/decode': esmExport('entities', './decode', 'htmlparser2'),
      entities: esmExport('entities', '.', 'htmlparser2'),
      he: HE_MODULE,
      'css-select': esmExport('css-select', '.', 'cheerio-select'),
    });
    expect(alias?.['entities/decode']).toMatch(/[\\/]entities[\\/]dist[\\/]esm[\\/]decode\.js$/);
    expect(alias?.['css-select']).toMatch(/[\\/]css-select[\\/]lib[\\/]esm[\\/]index\.js$/);
  });

  it('a bundle with the entities aliases parses and serializes exactly as cheerio does unbundled', async () => {
    const html = '<p title="a&amp;b &quot;q&quot;">caf&eacute; &lt;x&gt; &mdash; &#169; &nbsp;<br>é</p>';
    const script = `import { load } from 'cheerio/slim';
      const $ = load(${JSON.stringify(html)});
      export const out = [$('p').text(), $('p').attr('title'), $.html(), $.xml()];`;

    const result = await build({
      stdin: { contents: script, resolveDir: PROJECT_ROOT, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      mainFields: ['module', 'main'],
      alias: {
        'entities/decode': esmExport('entities', './decode', 'htmlparser2'),
        entities: esmExport('entities', '.', 'htmlparser2'),
      },
      metafile: true,
      logLevel: 'silent',
    });
    // What ends up in the output (esbuild reads files it then drops whole; those have no bytes in the output).
    const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    );
    // Only the parser's entities package is in the bundle (wherever npm placed it), and not its encode tables.
    const parserEntities = relative(
      PROJECT_ROOT,
      esmExport('entities', '.', 'htmlparser2').replace(/[\\/]dist[\\/].*$/, ''),
    );
    expect(
      inputs.filter((path) => /[\\/]entities[\\/]/.test(path) && !path.startsWith(`${parserEntities}/`)),
    ).toEqual([]);
    expect(inputs.some((path) => path.includes('encode-html'))).toBe(false);
    const bundled = await import(
      `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]?.text ?? '').toString('base64')}`
    );
    const { load } = await import('cheerio/slim');
    const $ = load(html);
    expect(bundled.out).toEqual([$('p').text(), $('p').attr('title'), $.html(), $.xml()]);
  });
});

describe('the SDK schema plugin', () => {
  it('lets esbuild drop the schemas of operations nobody calls, keeping what is used', async () => {
    // A stand-in for a generated client schema file: constants, then literals keyed by them.
    const root = await mkdtemp(join(tmpdir(), 'schema-plugin-'));
    try {
      const schemas = join(root, 'node_modules', '@aws-sdk', 'client-fake', 'dist-es', 'schemas');
      await mkdir(schemas, { recursive: true });
      await writeFile(join(root, 'node_modules', 'dep.js'), 'export const ns = "fake";\n');
      await writeFile(
        join(schemas, 'schemas_0.js'),
        [
          'import { ns } from "../../../../dep.js";',
          'const _h = "http";',
          'const _q = "with \\"quotes\\"";',
          'export var Used$ = [9, ns, "UsedOp", { [_h]: ["GET", "/used", 200], [_q]: 1 }, () => UsedInput$];',
          'export var UsedInput$ = [3, ns, "UsedInput", 0, [], []];',
          'export var Unused$ = [9, ns, "UnusedOp", { [_h]: ["PUT", "/unused", 200] }, () => UnusedInput$];',
          'export var UnusedInput$ = [3, ns, "UnusedInput", 0, [], []];',
        ].join('\n'),
      );
      const bundle = async (plugins: ReturnType<typeof sdkSchemaKeysPlugin>[]) => {
        const result = await build({
          stdin: {
            contents: `import { Used$ } from './node_modules/@aws-sdk/client-fake/dist-es/schemas/schemas_0.js'; export default Used$;`,
            resolveDir: root,
          },
          bundle: true,
          write: false,
          format: 'esm',
          minify: true,
          plugins,
          logLevel: 'silent',
        });
        return result.outputFiles[0]?.text ?? '';
      };
      const without = await bundle([]);
      const withPlugin = await bundle([sdkSchemaKeysPlugin()]);
      expect(without).toContain('UnusedOp');
      expect(withPlugin).not.toContain('UnusedOp');
      expect(withPlugin).not.toContain('UnusedInput');
      const used = await import(`data:text/javascript;base64,${Buffer.from(withPlugin).toString('base64')}`);
      expect(used.default[3]).toEqual({ http: ['GET', '/used', 200], 'with "quotes"': 1 });
      expect(used.default[4]()[2]).toBe('UsedInput');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the event-stream codec in a bundle that makes an S3 client', () => {
  it('is in a chunk loaded on first use, not in what constructing the client loads', async () => {
    // Inside the repository (cdk.out is ignored), so that the entry resolves the SDK from node_modules.
    await mkdir(join(PROJECT_ROOT, 'cdk.out'), { recursive: true });
    const root = await mkdtemp(join(PROJECT_ROOT, 'cdk.out', 'event-streams-'));
    try {
      const entry = join(root, 'entry.ts');
      await writeFile(
        entry,
        `import { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async () => new S3Client({});\n`,
      );
      const outdir = join(root, 'out');
      const { metafile } = await build(
        lambdaBuildOptions({ entry, outdir, bundleAwsSdk: true, sourceMap: false }),
      );
      const outputs = metafile?.outputs ?? {};
      const loadedAtStart = new Set<string>();
      const visit = (file: string) => {
        if (loadedAtStart.has(file) || !outputs[file]) return;
        loadedAtStart.add(file);
        for (const imported of outputs[file].imports)
          if (imported.kind === 'import-statement') visit(imported.path);
      };
      visit(Object.keys(outputs).find((file) => file.endsWith('index.mjs')) ?? '');
      const codecIn = (files: string[]) =>
        files.some((file) =>
          Object.keys(outputs[file]?.inputs ?? {}).some((input) =>
            /event-streams[\\/]eventstream-codec/.test(input),
          ),
        );
      expect(loadedAtStart.size).toBeGreaterThan(0);
      expect(codecIn([...loadedAtStart])).toBe(false);
      // Still shipped, for the one operation that reads an event stream.
      expect(codecIn(Object.keys(outputs).filter((file) => !loadedAtStart.has(file)))).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('the OpenAPI document in the query bundle', () => {
  it('is inlined at bundle time, the same document buildOpenApiDocument() makes, without zod in the module', async () => {
    const result = await build({
      stdin: {
        contents: `export { buildOpenApiDocument } from './lib/api/openapi.ts';`,
        resolveDir: PROJECT_ROOT,
      },
      bundle: true,
      write: false,
      format: 'esm',
      plugins: [prebuiltOpenApiPlugin()],
      logLevel: 'silent',
    });
    const text = result.outputFiles[0]?.text ?? '';
    expect(text).not.toContain('toJSONSchema');
    const inlined = await import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`);
    expect(JSON.stringify(inlined.buildOpenApiDocument())).toBe(JSON.stringify(buildOpenApiDocument()));
  });
});

describe('the he substitute', () => {
  it('decodes as he does on what content HTML holds, and escapes markup characters', async () => {
    // @ts-expect-error: `he` ships no types; only its two functions are called here.
    const he = (await import('he')) as { decode(text: string): string };
    const substitute = await import('../../lib/handlers/he-entities.ts');
    for (const text of [
      'a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39;',
      'caf&eacute; &mdash; &#x2014; &nbsp;',
      '&copy 2024 &notanentity;',
    ]) {
      expect(substitute.decode(text)).toBe(he.decode(text));
      expect(substitute.default.decode(text)).toBe(he.decode(text));
    }
    expect(substitute.encode('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
