// Builds one Lambda bundle with esbuild's JavaScript API, which takes plugins (the esbuild command line that
// NodejsFunction drives does not). CDK's local bundling hook is synchronous and esbuild plugins need the
// asynchronous API, so lib/cdk/bundling.ts runs this file in a child process:
//   node --import tsx lib/cdk/lambda-bundle.ts '{"entry":…,"outdir":…,"bundleAwsSdk":true,"sourceMap":false}'
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { BUNDLE_TARGET, bundleAliases, EVENT_STREAMS_MODULE, PROJECT_ROOT } from './bundling.ts';

export interface LambdaBundleRequest {
  /** The entry file exporting `handler`. */
  entry: string;
  /**
   * Where index.mjs (and index.mjs.map with sourceMap) is written, with the chunks it imports lazily
   * (chunks/*.mjs: code only some invocations need, such as the HTML parser, loaded by `await import()`).
   */
  outdir: string;
  /** false: `@aws-sdk/*` stays external and the runtime's copy is loaded. */
  bundleAwsSdk: boolean;
  sourceMap: boolean;
  /** Also write esbuild's metafile here (never into outdir: it would ship in the zip). */
  metafile?: string;
}

/**
 * The SDK's generated schema files (one per client, every operation of the service) key many of their
 * literals by module constants (`{ [_h]: ["PUT", "/?lifecycle", 200] }`); esbuild cannot prove a computed key
 * free of side effects, so it keeps every operation's schema. Writing those keys as the string constants they
 * stand for lets it drop the operations a function never calls (the S3 client's schemas: 69 KB → 13 KB).
 * The text is unchanged in meaning: only `[name]:` where `name` is a `const name = "…";` of the same file.
 */
export function sdkSchemaKeysPlugin(): Plugin {
  return {
    name: 'sdk-schema-literal-keys',
    setup(builder) {
      const schemaFile =
        /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:submodules[\\/][^\\/]+[\\/])?schemas[\\/]schemas_\d+\.js$/;
      builder.onLoad({ filter: schemaFile }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const constants = new Map<string, string>();
        for (const match of text.matchAll(/^const (\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) {
          constants.set(match[1] as string, match[2] as string);
        }
        const contents = text.replace(/([{,]\s*)\[(\w+)\]:/g, (whole, before: string, name: string) => {
          const literal = constants.get(name);
          return literal === undefined ? whole : `${before}${literal}:`;
        });
        return { contents, loader: 'js' };
      });
      // lib-dynamodb declares no `sideEffects: false` (the clients do), so each of its command modules is kept
      // whether used or not, with the DynamoDB command it wraps. Its modules only define classes and functions.
      builder.onResolve({ filter: /^@aws-sdk\/lib-dynamodb$/ }, async (args) => {
        if (args.pluginData === 'lib-dynamodb') return undefined;
        const { kind, importer, namespace, resolveDir } = args;
        const resolved = await builder.resolve(args.path, {
          kind,
          importer,
          namespace,
          resolveDir,
          pluginData: 'lib-dynamodb',
        });
        if (resolved.errors.length > 0) return undefined;
        // With the SDK external (bundleAwsSdk false) it stays an import of the runtime's copy.
        if (resolved.external) return { path: resolved.path, external: true };
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

/**
 * An SDK client's import of `@smithy/core/event-streams` resolved to lib/handlers/event-streams-on-first-use.ts: the
 * S3 client constructs its event-stream marshaller with the client, which put the event-stream codec (~14 KB) in
 * what every function compiles before its first S3 call, for SelectObjectContent alone. The stand-in loads the
 * real module on its first use; the SDK's own `await import()` of it (HttpProtocol) is left alone.
 */
export function eventStreamsOnFirstUsePlugin(): Plugin {
  return {
    name: 'event-streams-on-first-use',
    setup(builder) {
      builder.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) =>
        args.kind === 'import-statement' && /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]/.test(args.importer)
          ? { path: EVENT_STREAMS_MODULE }
          : undefined,
      );
    },
  };
}

/** lib/api/openapi.ts, the module whose document prebuiltOpenApiPlugin() inlines. */
const OPENAPI_MODULE = /[\\/]lib[\\/]api[\\/]openapi\.ts$/;

/**
 * GET /openapi.json serves one fixed document: built here, at bundle time, by the code the handler would run
 * (lib/api/openapi.ts's buildOpenApiDocument, which reads nothing at run time), and inlined as JSON. zod's JSON
 * Schema generator (~30 KB) then ships in no bundle. Left to run time it would be compiled at every cold start of
 * the query function though only that route uses it: esbuild assigns whole files to chunks, and zod's index, which
 * the cold path loads, imports the generator's files.
 */
export function prebuiltOpenApiPlugin(): Plugin {
  return {
    name: 'prebuilt-openapi',
    setup(builder) {
      builder.onLoad({ filter: OPENAPI_MODULE }, async (args) => {
        const { buildOpenApiDocument } = (await import(
          pathToFileURL(args.path).href
        )) as typeof import('../api/openapi.ts');
        const document = JSON.stringify(buildOpenApiDocument());
        return { contents: `export function buildOpenApiDocument() { return ${document}; }`, loader: 'js' };
      });
    },
  };
}

/** Packages only browser code paths of the SDK import: left out of the bundles (lambdaBuildOptions). */
const NEVER_LOADED = ['bowser'];

/**
 * esbuild's options for one function: minified ESM for the Node.js runtime, `require` restored; index.mjs holds
 * what every invocation needs, and each `await import()` of the handlers becomes a chunk loaded on first use.
 */
export function lambdaBuildOptions(request: LambdaBundleRequest): BuildOptions {
  return {
    entryPoints: { index: request.entry },
    outdir: request.outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    // Non-ASCII text (HTML entity tables, zod locales) as UTF-8, not \u escapes: ~100 KB less per bundle.
    charset: 'utf8',
    mainFields: ['module', 'main'],
    // ESM needs `require` for the CommonJS dependencies esbuild inlines (Powertools', the SDK's).
    banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
    alias: bundleAliases(),
    plugins: [sdkSchemaKeysPlugin(), prebuiltOpenApiPlugin(), eventStreamsOnFirstUsePlugin()],
    // bowser: the SDK's browser user-agent parser, behind an `await import()` no Node code path reaches; with code
    // splitting esbuild would still write it out as a chunk nothing loads (34 KB of the zip).
    external: request.bundleAwsSdk ? [...NEVER_LOADED] : ['@aws-sdk/*', ...NEVER_LOADED],
    sourcemap: request.sourceMap,
    sourcesContent: false,
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'warning',
  };
}

export async function bundleLambda(request: LambdaBundleRequest): Promise<Metafile> {
  const { metafile } = await build(lambdaBuildOptions(request));
  if (!metafile) throw new Error(`esbuild returned no metafile for ${request.entry}`);
  if (request.metafile) await writeFile(request.metafile, JSON.stringify(metafile));
  return metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const request = JSON.parse(process.argv[2] ?? '') as LambdaBundleRequest;
  await bundleLambda(request);
}
