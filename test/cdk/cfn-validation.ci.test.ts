// The stack passes aws-cdk-lib's CloudFormation schema validation, which cdk.json turns from warnings into
// errors (@aws-cdk/core:validateAgainstDefaultRules): an invalid property fails `cdk synth` before a deploy would.
// test/setup.ts switches the validation off for the other CDK tests; this file switches it on. It runs in CI only
// (.ci/run, with `cdk synth`, which fails on the same findings): ~10 s of CPU for the validation engine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnResource } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../lib/cdk/app.ts';
import { PROJECT_ROOT } from '../../lib/cdk/bundling.ts';
import { SKIP_BUNDLING } from './support.ts';

const CDK_JSON_CONTEXT = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;
let savedSetting: string | undefined;
let outdir: string;

beforeAll(() => {
  savedSetting = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'true';
  outdir = mkdtempSync(join(tmpdir(), 'cfn-validation-'));
});
afterAll(() => {
  if (savedSetting === undefined) delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = savedSetting;
  rmSync(outdir, { recursive: true, force: true });
});

function appWithCdkJsonContext(name: string) {
  return createApp({
    app: { context: { ...CDK_JSON_CONTEXT, ...SKIP_BUNDLING }, outdir: join(outdir, name) },
  });
}

describe('CloudFormation schema validation at synth', () => {
  it('is an error, not a warning, under cdk.json', () => {
    expect(CDK_JSON_CONTEXT['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });

  it('finds nothing in the stack', () => {
    const { app } = appWithCdkJsonContext('stack');
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('fails synthesis on an invalid property (the check is live)', () => {
    const { app, stack } = appWithCdkJsonContext('broken');
    new CfnResource(stack, 'BrokenQueue', {
      type: 'AWS::SQS::Queue',
      properties: { VisibilityTimeout: 'soon' },
    });
    const report = vi.spyOn(console, 'error').mockImplementation(() => {}); // the report is in the error too
    try {
      expect(() => app.synth()).toThrow(/VisibilityTimeout: 'soon' is not of type 'integer'/);
    } finally {
      report.mockRestore();
    }
  }, 120_000);
});
