/** Validates API responses against the served OpenAPI 3.1 document (JSON Schema 2020-12, ajv). */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

export function createOpenApiChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(doc.components.schemas))
    ajv.addSchema(schema as object, `#/components/schemas/${name}`);

  return {
    /** Returns the validation errors of `body` for that route and status (empty when it conforms). */
    errors(pathTemplate: string, method: string, status: number, body: unknown): string[] {
      const op = doc.paths[pathTemplate]?.[method.toLowerCase()];
      if (!op) return [`${method} ${pathTemplate} is not in the document`];
      const response = op.responses[String(status)];
      if (!response) return [`status ${status} of ${method} ${pathTemplate} is not in the document`];
      const schema = response.content?.['application/json']?.schema as { $ref: string } | undefined;
      if (!schema) return [];
      const validate = ajv.getSchema(schema.$ref);
      if (!validate) return [`schema ${schema.$ref} is missing`];
      return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    },
  };
}
