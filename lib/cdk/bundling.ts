import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// No aws-cdk-lib here: lib/cdk/lambda-bundle.ts imports this in every bundling child process, and an ESM import of
// aws-cdk-lib loads all of it (~0.7 s of CPU). The CDK side, lambdaCode(), is in lib/cdk/lambda-code.ts.

/** The repository root: bundles are built from here. */
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

/** The event-stream marshaller the bundles give the SDK clients: the real one loaded on first use. */
export const EVENT_STREAMS_MODULE = fileURLToPath(
  new URL('../handlers/event-streams-on-first-use.ts', import.meta.url),
);

/** Where the bundles find `he`: a decoder over the `entities` tables htmlparser2 already ships. */
export const HE_MODULE = fileURLToPath(new URL('../handlers/he-entities.ts', import.meta.url));

type Manifest = {
  name?: string;
  version?: string;
  exports?: Record<string, string | { import?: string | { default?: string } }>;
};

function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
}

/**
 * The ESM file a package exports at `subpath`, for the copy of the package `fromModule` resolves. Found from its
 * package.json (walking up from the resolved CommonJS entry, past dist/ folders with package.json files of their
 * own that only set the module type).
 */
export function esmExport(name: string, subpath: string, fromModule: string): string {
  const resolver = createRequire(createRequire(import.meta.url).resolve(fromModule));
  const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
  let root = dirname(resolver.resolve(specifier));
  while (readManifest(root)?.name !== name && dirname(root) !== root) root = dirname(root);
  const manifest = readManifest(root) ?? {};
  const exported =
    subpath === '.' && manifest.exports?.import ? manifest.exports : manifest.exports?.[subpath];
  const target =
    typeof exported === 'object'
      ? (exported as { import?: string | { default?: string } }).import
      : undefined;
  const relative = typeof target === 'string' ? target : target?.default;
  const file = relative ? join(root, relative) : undefined;
  if (!file || !existsSync(file)) {
    throw new Error(
      `${name} ${manifest.version ?? '?'} at ${root} has no ESM export ${subpath}: update bundleAliases()`,
    );
  }
  return file;
}

/**
 * Module substitutions in the Lambda bundles only (tests and the embedded stack resolve modules as usual):
 * - the env-only credential provider instead of the SDK's default chain;
 * - one `entities`, the tree-shakable v7 htmlparser2 uses: cheerio's serializer (dom-serializer) asks for v4,
 *   whose index drags in its decode and encode tables (~55 KB) for three escape functions;
 * - `he` (node-html-parser's decoder, ~75 KB of tables) as a decoder over those same tables;
 * - css-select as ESM for node-html-parser's require() too, so it and its DOM helpers are in the bundle once.
 */
export function bundleAliases(): Record<string, string> {
  return {
    '@aws-sdk/credential-provider-node': ENV_CREDENTIALS_MODULE,
    // The more specific subpath first: an alias also rewrites `entities/...` imports.
    'entities/decode': esmExport('entities', './decode', 'htmlparser2'),
    entities: esmExport('entities', '.', 'htmlparser2'),
    he: HE_MODULE,
    'css-select': esmExport('css-select', '.', 'cheerio-select'),
  };
}

/** What a function's bundle is built with (the `bundling` props of the stack). */
export interface BundleSettings {
  /** false: `@aws-sdk/*` stays external and the runtime's copy is loaded (benchmark/bundles.ts measures both). */
  bundleAwsSdk: boolean;
  /** Ship index.mjs.map; the stack then sets NODE_OPTIONS=--enable-source-maps. */
  sourceMap: boolean;
}
