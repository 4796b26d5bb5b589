import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BundleSettings, PROJECT_ROOT } from './bundling.ts';

/** The script that builds one bundle (esbuild's API with plugins) in a child process. */
export const BUNDLE_SCRIPT = fileURLToPath(new URL('./lambda-bundle.ts', import.meta.url));

/**
 * A function's code: `index.mjs` built by lib/cdk/lambda-bundle.ts (esbuild with the aliases of bundling.ts and
 * the SDK schema plugin), hashed by its output. Bundling runs locally, in a child process because CDK's local
 * bundling hook is synchronous; no Docker image is ever pulled.
 */
export function lambdaCode(entry: string, settings: BundleSettings): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, unused: local bundling below always answers or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
      // Part of CDK's cache key for the asset (the local hook is not), so each entry gets its own bundle.
      environment: {
        LAMBDA_ENTRY: relative(PROJECT_ROOT, entry),
        BUNDLE_AWS_SDK: String(settings.bundleAwsSdk),
        SOURCE_MAP: String(settings.sourceMap),
      },
      local: {
        tryBundle(outputDir: string): boolean {
          const request = { entry, outdir: outputDir, ...settings };
          execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_SCRIPT, JSON.stringify(request)], {
            cwd: PROJECT_ROOT,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          return true;
        },
      },
    },
  });
}
