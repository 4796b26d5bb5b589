import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PipelineError } from '../core/errors.ts';
import type { ReextractSelection } from '../handlers/reextract.ts';

/** The output of the ArticlePipeline stack naming the re-extraction state machine (lib/cdk/reextract-job.ts). */
export const REEXTRACT_OUTPUT = 'ReextractStateMachineArn';

/**
 * Starts the deployed stack's re-extraction job (a Step Functions execution) with the selection as its input,
 * and says how to follow it. The job needs no laptop once started; its summary is the execution's output.
 */
export async function startReextractJob(
  stackName: string,
  selection: ReextractSelection,
): Promise<Record<string, string>> {
  const stateMachineArn = await stackOutput(stackName, REEXTRACT_OUTPUT);
  const client = new SFNClient({});
  try {
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ selection }) }),
    );
    const executionArn = started.executionArn ?? '';
    return {
      executionArn,
      startDate: started.startDate?.toISOString() ?? '',
      follow: `aws stepfunctions describe-execution --execution-arn ${executionArn} --query '[status,output]'`,
    };
  } finally {
    client.destroy();
  }
}

async function stackOutput(stackName: string, key: string): Promise<string> {
  const client = new CloudFormationClient({});
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = response.Stacks?.[0]?.Outputs?.find((candidate) => candidate.OutputKey === key);
    if (!output?.OutputValue) throw new PipelineError('NOT_FOUND', `stack ${stackName} has no ${key} output`);
    return output.OutputValue;
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw new PipelineError('NOT_FOUND', `cannot read stack ${stackName}: ${(error as Error).message}`);
  } finally {
    client.destroy();
  }
}
