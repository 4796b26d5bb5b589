import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ArticlePipeline } from './article-pipeline.ts';
import type { ArticlePipelineProps } from './props.ts';

export interface ArticlePipelineStackProps extends StackProps {
  pipeline?: ArticlePipelineProps;
}

/**
 * The pipeline as a deployable stack. Environment-agnostic on purpose: nothing in it looks up the account or
 * region at synth time, so `cdk synth` needs no credentials and the same template deploys anywhere.
 */
export class ArticlePipelineStack extends Stack {
  readonly pipeline: ArticlePipeline;

  constructor(scope: Construct, id: string, props: ArticlePipelineStackProps = {}) {
    super(scope, id, {
      description: 'Article pipeline: crawl, ingest and query news articles',
      ...props,
    });
    this.pipeline = new ArticlePipeline(this, 'Pipeline', props.pipeline);
    this.pipeline.addOutputs(this);
  }
}
