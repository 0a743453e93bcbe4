import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its module.exports is the plugin, which TypeScript sees under `default`.
const addFormats = addFormatsModule.default;

type Schema = Record<string, unknown>;

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
export interface DocumentedResponse {
  description?: string;
  content?: Record<string, MediaType>;
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
  examples?: unknown;
}
export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, DocumentedResponse>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** What a test sees of an answer: enough to hold it to the document. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Routes served outside the API, so outside the document: Swagger UI and the document itself, the web console's
 * static files (its one API route, /console/config.json, is in the document).
 */
const OUTSIDE_THE_DOCUMENT = /^\/(docs(-json|-yaml)?(\/|$)|console(\/(?!config\.json$)|$))/;
const PROBLEM_JSON = 'application/problem+json';

/**
 * OpenAPI 3.0 schema to JSON Schema for ajv: `nullable`, component refs, and objects closed to the
 * fields they list unless they say otherwise, so an undocumented field fails.
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const {
    nullable,
    example: _example,
    examples: _examples,
    ...rest
  } = schema as Schema & { nullable?: boolean };
  const converted: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string') {
      converted.$ref = value.replace('#/components/schemas/', 'openapi#/definitions/');
    } else if (key === 'properties' && value && typeof value === 'object') {
      converted.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    } else {
      converted[key] = toJsonSchema(value);
    }
  }
  if (converted.properties && converted.additionalProperties === undefined) {
    converted.additionalProperties = false;
  }
  return nullable ? { anyOf: [converted, { type: 'null' }] } : converted;
}

interface Route {
  template: string;
  pattern: RegExp;
  methods: Record<string, Operation>;
}

/** The app's OpenAPI document, compiled once, answering "does this answer keep the contract?". */
export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const format of ['int32', 'int64', 'float', 'double']) this.ajv.addFormat(format, true);
    this.ajv.addSchema(
      { $id: 'openapi', definitions: toJsonSchema(document.components?.schemas ?? {}) },
      'openapi',
    );
    // Literal segments before templated ones, so /orders/{id} never shadows a fixed route.
    this.routes = Object.entries(document.paths)
      .map(([template, methods]) => ({
        template,
        methods: methods as Record<string, Operation>,
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
        ),
      }))
      .sort(
        (a, b) => (a.template.match(/\{/g) ?? []).length - (b.template.match(/\{/g) ?? []).length,
      );
  }

  /** The documented operation for a request, or undefined when the route is not in the document. */
  operation(method: string, path: string): { template: string; operation: Operation } | undefined {
    const route = this.routes.find(
      (r) => r.pattern.test(path) && r.methods[method.toLowerCase()] !== undefined,
    );
    return route && { template: route.template, operation: route.methods[method.toLowerCase()] };
  }

  /** Every way the answer breaks the document; empty when it keeps it. */
  violations(method: string, url: string, answer: Answer): string[] {
    const path = new URL(url, 'http://localhost').pathname;
    if (OUTSIDE_THE_DOCUMENT.test(path)) return [];
    const found = this.operation(method, path);
    if (!found) {
      // An unknown route or method is Nest's 404; it can only be told apart by what it says.
      if (answer.status === 404) return this.problemViolations(answer, 404);
      return [`${method.toUpperCase()} ${path} is not in the document (answered ${answer.status})`];
    }
    const { responses } = found.operation;
    const documented = responses[String(answer.status)] ?? responses.default;
    if (!documented) {
      return [
        `${answer.status} is not documented (documented: ${Object.keys(responses).join(', ')})`,
      ];
    }
    const contentType = String(answer.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const media = Object.fromEntries(
      Object.entries(documented.content ?? {}).map(([type, m]) => [type.split(';')[0].trim(), m]),
    );
    if (answer.status >= 400) {
      if (contentType !== PROBLEM_JSON) return [`content type ${contentType}, not ${PROBLEM_JSON}`];
      if (!media[PROBLEM_JSON]) return [`${answer.status} is not documented as ${PROBLEM_JSON}`];
    }
    if (Object.keys(media).length === 0) {
      return answer.text ? [`${answer.status} has no documented body, yet one was sent`] : [];
    }
    const mediaType = media[contentType];
    if (!mediaType) {
      return [
        `content type "${contentType}" is not documented (documented: ${Object.keys(media).join(', ')})`,
      ];
    }
    if (!mediaType.schema || !/json/.test(contentType)) return [];
    return this.bodyViolations(mediaType.schema, answer.text);
  }

  /** Whether a value fits a schema of the document (examples, request bodies). */
  bodyViolations(schema: Schema, text: string): string[] {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`the body is not JSON: ${text.slice(0, 200)}`];
    }
    return this.valueViolations(schema, body);
  }

  valueViolations(schema: Schema, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `body${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
    );
  }

  private problemViolations(answer: Answer, status: number): string[] {
    const contentType = String(answer.headers['content-type'] ?? '');
    if (!contentType.startsWith(PROBLEM_JSON))
      return [`${status} with content type ${contentType}`];
    return this.bodyViolations({ $ref: '#/components/schemas/ProblemResponse' }, answer.text);
  }
}
