import { request } from 'node:https';
import { NewSource, newSourceRecord } from '../core/sources.ts';
import * as z from '../core/zod.ts';
import type { SourceRegistry } from '../store/types.ts';
import type { HandlerLogger } from './logging.ts';

/**
 * Seeds the sources registry at deploy: the CDK `sources` context becomes custom resources (Custom::SourcesSeed,
 * a few hundred sources each, so no environment or payload limit caps the list) served by the crawl function.
 * Create and Update add the sources not registered yet (batched writes; registered ones keep their health and
 * any pause); Delete keeps the registry as it is (sources are managed at run time from then on).
 */

export const SEED_RESOURCE_TYPE = 'Custom::SourcesSeed';
/** Sources per seed resource: ~80 bytes each keeps one resource's properties far below Lambda's event size. */
export const SOURCES_PER_SEED_RESOURCE = 500;

export const SeedSourcesEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url({ protocol: /^https$/ }),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.looseObject({ Sources: z.string() }),
});
export type SeedSourcesEvent = z.infer<typeof SeedSourcesEvent>;

/** True for a CloudFormation custom resource request. */
export function isCustomResourceEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

export type ResponseSender = (url: string, body: string) => Promise<void>;

/** PUTs the custom resource's result to CloudFormation's pre-signed S3 URL (no SDK needed). */
export const sendToCloudFormation: ResponseSender = (url, body) =>
  new Promise((resolve, reject) => {
    const put = request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          (response.statusCode ?? 500) < 300
            ? resolve()
            : reject(new Error(`CloudFormation answered ${response.statusCode}`)),
        );
      },
    );
    put.on('timeout', () => put.destroy(new Error('CloudFormation response timed out')));
    put.on('error', reject);
    put.end(body);
  });

export function createSeedSourcesHandler(deps: {
  registry: SourceRegistry;
  logger: HandlerLogger;
  send?: ResponseSender;
  now?: () => Date;
}) {
  const send = deps.send ?? sendToCloudFormation;
  return async function seed(event: unknown): Promise<void> {
    const parsed = SeedSourcesEvent.parse(event);
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason = '';
    const data: Record<string, number> = {};
    try {
      if (parsed.RequestType !== 'Delete') {
        const given = z.array(NewSource).parse(JSON.parse(parsed.ResourceProperties.Sources));
        const at = (deps.now ?? (() => new Date()))();
        const result = await deps.registry.addMany(given.map((source) => newSourceRecord(source, at)));
        data.created = result.created;
        data.existing = result.existing;
        deps.logger.info('sources seeded', { ...result });
      }
    } catch (error) {
      status = 'FAILED';
      reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      deps.logger.error('seeding the sources registry failed', { reason });
    }
    await send(
      parsed.ResponseURL,
      JSON.stringify({
        Status: status,
        Reason: reason || `see the crawl function's log`,
        PhysicalResourceId: parsed.PhysicalResourceId ?? `sources-seed-${parsed.LogicalResourceId}`,
        StackId: parsed.StackId,
        RequestId: parsed.RequestId,
        LogicalResourceId: parsed.LogicalResourceId,
        Data: data,
      }),
    );
  };
}
