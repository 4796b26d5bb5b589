import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../lib/cdk/app.ts';
import type { ArticlePipelineProps } from '../../lib/cdk/props.ts';
import { SKIP_BUNDLING, synthesize } from './support.ts';

/** Both packs the app runs (lib/cdk/app.ts): AwsSolutions and ServerlessChecks. */
function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
      ),
  );
}

const VARIANTS: Record<string, ArticlePipelineProps> = {
  defaults: {},
  'kms, versioned, default bus, alarm e-mail': {
    bucketEncryption: 'kms',
    bucketVersioning: true,
    eventBus: 'default',
    alarmEmail: 'ops@news.example',
  },
  'public API, existing alarm topic': {
    apiAuthorization: 'none',
    alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
  },
};

describe('cdk-nag AwsSolutions and ServerlessChecks', () => {
  for (const [variant, props] of Object.entries(VARIANTS)) {
    it(`finds nothing unacknowledged (${variant})`, () => {
      const { stack } = synthesize(props);
      expect(findings(stack)).toEqual([]);
    }, 120_000);
  }

  it('does report what is not acknowledged (the check is live)', () => {
    const { stack } = synthesize();
    new s3.Bucket(stack, 'CarelessBucket');
    expect(findings(stack)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1 at ArticlePipeline/CarelessBucket/Resource',
        'AwsSolutions-S10 at ArticlePipeline/CarelessBucket/Resource',
      ]),
    );
  });

  it('runs ServerlessChecks too: an untraced function without a DLQ is reported', () => {
    const { stack } = synthesize();
    new lambda.Function(stack, 'CarelessFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    expect(findings(stack)).toEqual(
      expect.arrayContaining([
        'Serverless-LambdaTracing at ArticlePipeline/CarelessFunction/Resource',
        'Serverless-LambdaDLQ at ArticlePipeline/CarelessFunction/Resource',
      ]),
    );
  });

  it('runs in the app itself: synthesis fails on an unacknowledged finding', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
    try {
      const { app, stack } = createApp({ app: { context: SKIP_BUNDLING, outdir } });
      new s3.Bucket(stack, 'CarelessBucket');
      expect(() => app.synth()).toThrow(/S3 Bucket has server access logs disabled|CarelessBucket/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('gives every acknowledgement a reason of substance', () => {
    const { stack } = synthesize({ apiAuthorization: 'none', alarmEmail: 'ops@news.example' });
    const acknowledged: Array<[string, string]> = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        acknowledged.push(...Object.entries(entry.data as Record<string, string>));
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/(AwsSolutions-[A-Z]+\d+|Serverless-[A-Za-z]+)/);
      expect(reason.length, `${id}: ${reason}`).toBeGreaterThan(40);
    }
  });
});
