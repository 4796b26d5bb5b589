import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { FUNCTION_NAMES, type FunctionName } from './bundling.ts';
import type { ArticlePipelineStack } from './stack.ts';

/** One function as synthesized: its bundle in the cloud assembly and its environment as in the template. */
export interface SynthesizedFunction {
  name: FunctionName;
  logicalId: string;
  /** The asset folder cdk.out holds for the function (what `cdk deploy` zips and uploads). */
  assetDir: string;
  /** The bundle the Lambda runtime loads (`index.handler` → index.mjs). */
  bundleFile: string;
  /** Template values: strings, or CloudFormation references ({Ref}, {Fn::GetAtt}, {Fn::Join}). */
  environment: Record<string, unknown>;
}

interface TemplateResource {
  Type: string;
  Properties?: { Environment?: { Variables?: Record<string, unknown> }; Code?: { S3Key?: unknown } };
}

/** Reads a synthesized stack's template from the assembly and locates each function's bundle. */
export function synthesizedFunctions(
  stack: ArticlePipelineStack,
  outdir: string,
): Record<FunctionName, SynthesizedFunction> {
  const template = JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as {
    Resources: Record<string, TemplateResource>;
  };
  const assets = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>;
  };
  const entries = FUNCTION_NAMES.map((name): [FunctionName, SynthesizedFunction] => {
    const fn = stack.pipeline.functions[name];
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    const resource = template.Resources[logicalId];
    // The function's Code.S3Key is `<asset hash>.zip`; the asset manifest maps that hash to its cdk.out folder.
    const s3Key = resource?.Properties?.Code?.S3Key;
    const assetPath =
      typeof s3Key === 'string' ? assets.files[s3Key.replace(/\.zip$/, '')]?.source.path : undefined;
    if (assetPath === undefined) {
      throw new Error(`${name}: no bundle in the assembly (was bundling skipped?)`);
    }
    const assetDir = join(outdir, assetPath);
    return [
      name,
      {
        name,
        logicalId,
        assetDir,
        bundleFile: join(assetDir, 'index.mjs'),
        environment: resource?.Properties?.Environment?.Variables ?? {},
      },
    ];
  });
  return Object.fromEntries(entries) as Record<FunctionName, SynthesizedFunction>;
}

/**
 * Turns template values into strings for a local run: `{Ref: id}` and `{Fn::GetAtt: [id, …]}` become
 * `resolve(id)`, Fn::Join is joined; anything else is an error naming the value.
 */
export function resolveTemplateValue(value: unknown, resolve: (logicalId: string) => string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const object = (value ?? {}) as Record<string, unknown>;
  if (typeof object.Ref === 'string') return resolve(object.Ref);
  if (Array.isArray(object['Fn::GetAtt'])) return resolve(String(object['Fn::GetAtt'][0]));
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveTemplateValue(part, resolve)).join(separator);
  }
  throw new Error(`cannot resolve template value ${JSON.stringify(value)}`);
}
