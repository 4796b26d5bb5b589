import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: NodejsFunction bundles from here, with the lock file beside package.json. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The three Lambda entry points, each exporting `handler`. */
export const FUNCTION_NAMES = ['crawl', 'ingest', 'query'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export function lambdaEntry(name: FunctionName): string {
  return fileURLToPath(new URL(`../../lambdas/${name}.ts`, import.meta.url));
}

/** esbuild's target for the runtime the functions run on (Runtime.NODEJS_24_X). */
export const BUNDLE_TARGET = 'node24';

/** Where the credential provider the bundles use instead of the SDK's default chain lives. */
export const ENV_CREDENTIALS_MODULE = fileURLToPath(
  new URL('../handlers/env-credentials.ts', import.meta.url),
);

/**
 * The ESM files of the `entities` package htmlparser2 uses (v7, with tree-shakable exports). cheerio's serializer,
 * dom-serializer, asks for `entities` v4 and only calls its escape functions, but v4's index drags in its decode
 * and encode tables (~55 KB); pointing both imports at v7 leaves one decode table, the one the parser needs.
 */
export function parserEntitiesFiles(): { decode: string; escape: string } {
  const require = createRequire(import.meta.url);
  const fromParser = createRequire(require.resolve('htmlparser2'));
  // Walk up from the resolved entry to the package root, whose package.json names the ESM files (dist/ folders
  // hold package.json files of their own that only set the module type).
  type Manifest = {
    name?: string;
    version?: string;
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const readManifest = (dir: string): Manifest | undefined => {
    const file = join(dir, 'package.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
  };
  let root = dirname(fromParser.resolve('entities/decode'));
  while (readManifest(root)?.name !== 'entities' && dirname(root) !== root) root = dirname(root);
  const manifest = readManifest(root) ?? {};
  const esmFile = (subpath: './decode' | './escape') => {
    const relative = manifest.exports?.[subpath]?.import?.default;
    const file = relative ? join(root, relative) : undefined;
    if (!file || !existsSync(file)) {
      throw new Error(
        `entities ${manifest.version ?? '?'} at ${root} has no ESM export ${subpath}: update parserEntitiesFiles()`,
      );
    }
    return file;
  };
  return { decode: esmFile('./decode'), escape: esmFile('./escape') };
}

/**
 * Module substitutions in the Lambda bundles only (tests and the embedded stack resolve modules as usual):
 * the env-only credential provider, and one copy of `entities`.
 */
export function bundleAliases(): Record<string, string> {
  const entities = parserEntitiesFiles();
  return {
    '@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE,
    // The more specific subpath first: an alias also rewrites `entities/...` imports.
    'entities/decode': entities.decode,
    entities: entities.escape,
  };
}

/**
 * ESM needs `require` for the CommonJS dependencies esbuild inlines (Powertools', the SDK's); the banner
 * recreates it. With `bundleAwsSdk` false, `@aws-sdk/*` stays external and the runtime's copy is loaded
 * (benchmark/bundles.ts measures both ways).
 */
export function bundlingOptions(options: { bundleAwsSdk: boolean; sourceMap: boolean }): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: options.sourceMap,
    ...(options.sourceMap ? { sourceMapMode: SourceMapMode.DEFAULT, sourcesContent: false } : {}),
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
    // When false, aws-cdk-lib marks `@aws-sdk/*` external for Node.js 18+ runtimes.
    bundleAwsSDK: options.bundleAwsSdk,
    forceDockerBundling: false,
    esbuildArgs: {
      // Non-ASCII text (HTML entity tables, zod locales) as UTF-8, not \u escapes: ~100 KB less per bundle.
      // Passed as an argument: aws-cdk-lib 2.276's `charset` option does not reach the esbuild command line.
      '--charset': 'utf8',
      // Rendered as `--alias:from=to`, one per entry.
      '--alias': Object.entries(bundleAliases()).map(([from, to]) => `${from}=${to}`),
    },
    tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
  };
}
