import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/cdk/app.ts';
import type { FunctionName } from '../../lib/cdk/bundling.ts';
import type { ArticlePipelineProps } from '../../lib/cdk/props.ts';
import type { ArticlePipelineStack } from '../../lib/cdk/stack.ts';

/** Skips esbuild in template tests: they check the template, the bundles have their own test. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export interface Synthesized {
  stack: ArticlePipelineStack;
  template: Template;
  /** The logical id of a construct's CloudFormation resource. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
  /** The logical id of a function (for Ref / Fn::GetAtt comparisons). */
  functionId(name: FunctionName): string;
}

export function synthesize(
  pipeline: ArticlePipelineProps = {},
  context: Record<string, unknown> = {},
): Synthesized {
  const { stack } = createApp({ app: { context: { ...SKIP_BUNDLING, ...context } }, pipeline });
  const template = Template.fromStack(stack);
  const logicalId = (construct: { node: { defaultChild?: unknown } }): string =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return {
    stack,
    template,
    logicalId,
    functionId: (name) => logicalId(stack.pipeline.functions[name]),
  };
}

export type Resource = { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>;

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

export function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  if (entries.length !== 1) throw new Error(`expected exactly one, found ${entries.length}`);
  return entries[0]!;
}
