import { describe, expect, it } from 'vitest';
import { REEXTRACT_MAX_CONCURRENCY } from '../../lib/cdk/reextract-job.ts';
import { type Resource, resourcesOfType, type Synthesized, synthesize } from './support.ts';

const s = synthesize();

/** "action on resource" lines of every policy attached to a role, with logical ids named readably. */
function permissionsOfRole(
  role: { node: { defaultChild?: unknown } },
  synthesized: Synthesized = s,
): string[] {
  const roleId = synthesized.logicalId(role);
  const pipeline = synthesized.stack.pipeline;
  const job = pipeline.reextractJob;
  const names: Record<string, string> = {
    [synthesized.logicalId(pipeline.bucket)]: 'bucket',
    [synthesized.logicalId(pipeline.table)]: 'table',
    [synthesized.logicalId(job.function)]: 'function',
    [synthesized.logicalId(job.deadLetterQueue)]: 'deadLetterQueue',
    [synthesized.logicalId(job.stateMachine)]: 'stateMachine',
    [synthesized.logicalId(job.jobBucket)]: 'jobBucket',
    [synthesized.logicalId(job.function.logGroup as never)]: 'logs',
  };
  const bus = pipeline.eventBus.node.defaultChild;
  if (bus) names[synthesized.stack.getLogicalId(bus as never)] = 'bus';
  const render = (value: unknown): string =>
    JSON.stringify(value).replace(/"([A-Za-z0-9]+)"/g, (match, id) => names[id] ?? match);
  const lines: string[] = [];
  for (const policy of Object.values(resourcesOfType(synthesized.template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as Array<{ Ref: string }>).map((ref) => ref.Ref);
    if (!roles.includes(roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat() as string[]) {
        for (const resource of [statement.Resource].flat()) lines.push(`${action} on ${render(resource)}`);
      }
    }
  }
  return lines.sort();
}

function definition(): Record<string, unknown> {
  const [machine] = Object.values(resourcesOfType(s.template, 'AWS::StepFunctions::StateMachine'));
  const body = machine?.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  // The definition is a Fn::Join of strings and references; references become placeholders.
  const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REF')).join('');
  return JSON.parse(text) as Record<string, unknown>;
}

const executions = (suffix: string) =>
  `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":states:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":execution:",{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":stateMachine}]}]},"${suffix}"]]}`;

describe('reextract job', () => {
  it('lists, then re-extracts the parts in a Distributed Map with bounded concurrency, then sums up', () => {
    const states = definition().States as Record<string, Record<string, unknown>>;
    expect(definition().StartAt).toBe('Start');
    expect(states.ListArticles?.Next).toBe('ListedAll');
    expect(states.ListedAll).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'ReextractParts' }],
      Default: 'ListMore',
    });
    expect(states.ListMore?.Next).toBe('ListArticles');
    const map = states.ReextractParts as Record<string, unknown>;
    expect(map).toMatchObject({ Type: 'Map', MaxConcurrency: REEXTRACT_MAX_CONCURRENCY, Next: 'Summarize' });
    expect(map.ItemReader).toMatchObject({
      Resource: 'arn:REF:states:::s3:listObjectsV2',
      Parameters: { Bucket: 'REF', 'Prefix.$': '$.partsPrefix' },
    });
    expect(map.ResultWriter).toMatchObject({ Parameters: { Bucket: 'REF', Prefix: 'reextract/results' } });
    expect(map.ItemProcessor).toMatchObject({
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    });
    const processor = (map.ItemProcessor as { States: Record<string, Record<string, unknown>> }).States;
    // A part that still fails after its retries goes to the dead-letter queue; the run carries on.
    expect(processor.ReextractPart?.Retry).toEqual(
      expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 2 })]),
    );
    expect(processor.ReextractPart?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'PartToDeadLetterQueue' }),
    ]);
    expect(processor.PartToDeadLetterQueue?.Resource).toBe('arn:REF:states:::sqs:sendMessage');
    expect(states.Summarize?.Parameters).toMatchObject({
      action: 'summarize',
      'results.$': '$.map.ResultWriterDetails',
    });
  });

  it('gives the function exactly the actions its code calls, on exactly its resources', () => {
    const job = s.stack.pipeline.reextractJob;
    const objects = (owner: string, prefix: string) =>
      ['s3:GetObject', 's3:PutObject'].map(
        (action) => `${action} on {"Fn::Join":["",[{"Fn::GetAtt":[${owner},"Arn"]},"/${prefix}/*"]]}`,
      );
    expect(permissionsOfRole(job.function.role as never)).toEqual(
      [
        'dynamodb:BatchGetItem on {"Fn::GetAtt":[table,"Arn"]}',
        'dynamodb:GetItem on {"Fn::GetAtt":[table,"Arn"]}',
        'dynamodb:PutItem on {"Fn::GetAtt":[table,"Arn"]}',
        'dynamodb:UpdateItem on {"Fn::GetAtt":[table,"Arn"]}',
        'dynamodb:Query on {"Fn::GetAtt":[table,"Arn"]}',
        'dynamodb:Query on {"Fn::Join":["",[{"Fn::GetAtt":[table,"Arn"]},"/index/byIngested"]]}',
        'events:PutEvents on {"Fn::GetAtt":[bus,"Arn"]}',
        'logs:CreateLogStream on {"Fn::GetAtt":[logs,"Arn"]}',
        'logs:PutLogEvents on {"Fn::GetAtt":[logs,"Arn"]}',
        ...objects('bucket', 'raw'),
        ...objects('bucket', 'articles'),
        ...objects('jobBucket', 'reextract'),
        // Tracing.ACTIVE, as the pipeline's other functions: X-Ray takes no resource-level permissions.
        'xray:PutTelemetryRecords on "*"',
        'xray:PutTraceSegments on "*"',
      ].sort(),
    );
  });

  it('lets the state machine invoke the function, use its job bucket and DLQ, and run its own map only', () => {
    const lines = permissionsOfRole(s.stack.pipeline.reextractJob.stateMachine.role as never);
    const resultWriter = [
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ].map(
      (action) =>
        `${action} on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":s3:::",{"Ref":jobBucket},"/*"]]}`,
    );
    expect(lines).toEqual(
      [
        'lambda:InvokeFunction on {"Fn::GetAtt":[function,"Arn"]}',
        'lambda:InvokeFunction on {"Fn::Join":["",[{"Fn::GetAtt":[function,"Arn"]},":*"]]}',
        's3:ListBucket on {"Fn::GetAtt":[jobBucket,"Arn"]}',
        ...resultWriter,
        'sqs:SendMessage on {"Fn::GetAtt":[deadLetterQueue,"Arn"]}',
        `states:DescribeExecution on ${executions(':*')}`,
        `states:RedriveExecution on ${executions('/*:*')}`,
        'states:StartExecution on {"Ref":stateMachine}',
        `states:StopExecution on ${executions(':*')}`,
      ].sort(),
    );
  });

  it('keeps job files in a bucket of their own for 30 days and names the state machine in the outputs', () => {
    const job = s.stack.pipeline.reextractJob;
    const bucket = s.template.toJSON().Resources[s.logicalId(job.jobBucket)] as Resource;
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> })
      .Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-job-files', ExpirationInDays: 30 }));
    expect(Object.keys(s.template.toJSON().Outputs)).toContain('ReextractStateMachineArn');
  });
});
