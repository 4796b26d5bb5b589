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
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
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
    },
    tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
  };
}
