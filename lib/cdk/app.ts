import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { settingsFromContext } from './context.ts';
import type { ArticlePipelineProps } from './props.ts';
import { ArticlePipelineStack } from './stack.ts';

export const DEFAULT_STACK_NAME = 'ArticlePipeline';

/**
 * Builds the CDK app: the pipeline stack from context (or explicit props, for tests and benchmarks) with the
 * cdk-nag AwsSolutions and ServerlessChecks packs registered, so any unacknowledged finding fails synthesis.
 */
export function createApp(options: { app?: AppProps; pipeline?: ArticlePipelineProps } = {}): {
  app: App;
  stack: ArticlePipelineStack;
} {
  const app = new App(options.app);
  const settings = settingsFromContext(app.node);
  const stack = new ArticlePipelineStack(app, settings.stackName ?? DEFAULT_STACK_NAME, {
    pipeline: { ...settings.props, ...options.pipeline },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
