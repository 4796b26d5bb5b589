export { createApp, DEFAULT_STACK_NAME } from './app.ts';
export { ArticlePipeline, BUCKET_PREFIXES, type FunctionEnvironment } from './article-pipeline.ts';
export { FUNCTION_NAMES, type FunctionName } from './bundling.ts';
export { CONTEXT_KEYS, settingsFromContext } from './context.ts';
export type { ArticlePipelineProps, RawHtmlLifecycle } from './props.ts';
export { ArticlePipelineStack, type ArticlePipelineStackProps } from './stack.ts';
