import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Reply } from './fixtures.ts';

// ajv-formats is CommonJS with a default export; under NodeNext the callable is on .default for types.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Validates real responses against the OpenAPI document: finds the operation's response schema for the
 * status and content type, and checks the body with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 */
export function createResponseValidator(document: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');

  return function validateResponse(pathTemplate: string, reply: Reply): string[] {
    const status = String(reply.status);
    const mediaType = (reply.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    // biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON document
    const operation = (document as any).paths?.[pathTemplate]?.get;
    if (!operation) return [`no GET operation for ${pathTemplate}`];
    const response = operation.responses?.[status];
    if (!response) return [`status ${status} is not documented for ${pathTemplate}`];
    if (reply.status === 304) return reply.body === '' ? [] : ['304 with a body'];
    const media = response.content?.[mediaType];
    if (!media) return [`content type ${mediaType} is not documented for ${pathTemplate} ${status}`];
    const pointer = ['paths', pathTemplate, 'get', 'responses', status, 'content', mediaType, 'schema']
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const validate = ajv.getSchema(`openapi.json#/${pointer}`);
    if (!validate) return [`could not compile the schema at ${pointer}`];
    const data = mediaType === 'application/json' ? JSON.parse(reply.body) : reply.body;
    if (validate(data)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  };
}
