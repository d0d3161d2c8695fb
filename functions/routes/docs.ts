import type { OpenAPIHono } from '@hono/zod-openapi';
import { ERROR_STATUS } from '../../core/contracts/api-error-codes.ts';
import { SITE_LINKS } from '../../core/contracts/site-links.ts';
import type { AppEnv } from '../app-env.ts';
import { registerComponents } from '../openapi-components.ts';

const INFO = {
  title: 'Open SER API',
  version: '1.0.0',
  description:
    'Speech emotion recognition at the edge. POST a WAV or FLAC clip to /v1/classify; every error is ' +
    '{ "error": { "code", "message" } } with the codes listed below.',
  license: { name: 'MIT', identifier: 'MIT' },
};
/** The deployment that serves the document serves the API: relative to it. */
const SERVERS = [{ url: '/', description: 'This deployment' }];

type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

interface SchemaView {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaView>;
}

interface OperationView {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: { type?: string };
  }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: SchemaView }> }>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The fields of a JSON success response, one line each, following a `$ref` into the components. */
function renderResponseFields(operation: OperationView, schemas: Record<string, SchemaView>): string {
  let schema = operation.responses?.['200']?.content?.['application/json']?.schema;
  if (schema?.$ref !== undefined) schema = schemas[schema.$ref.split('/').at(-1) ?? ''];
  const fields = Object.entries(schema?.properties ?? {});
  if (fields.length === 0) return '';
  const rows = fields
    .map(([name, field]) => {
      const type = field.$ref?.split('/').at(-1) ?? [field.type ?? 'object'].flat().join(' | ');
      return `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(type)}</td><td>${escapeHtml(field.description ?? '')}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>200 field</th><th>type</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderOperation(
  method: string,
  path: string,
  operation: OperationView,
  schemas: Record<string, SchemaView>,
): string {
  const parameters = operation.parameters ?? [];
  const parameterRows = parameters
    .map(
      (parameter) =>
        `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${escapeHtml(parameter.in)}</td>` +
        `<td>${escapeHtml(parameter.schema?.type ?? '')}</td><td>${parameter.required ? 'yes' : 'no'}</td>` +
        `<td>${escapeHtml(parameter.description ?? '')}</td></tr>`,
    )
    .join('');
  const bodyTypes = Object.keys(operation.requestBody?.content ?? {});
  const responses = Object.entries(operation.responses ?? {})
    .map(([status, response]) => `<li><code>${status}</code> ${escapeHtml(response.description ?? '')}</li>`)
    .join('');
  return [
    `<section><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2>`,
    `<p><strong>${escapeHtml(operation.summary ?? '')}</strong></p>`,
    operation.description ? `<p>${escapeHtml(operation.description)}</p>` : '',
    parameters.length > 0
      ? `<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>meaning</th></tr></thead><tbody>${parameterRows}</tbody></table>`
      : '',
    bodyTypes.length > 0
      ? `<p>Body: ${bodyTypes.map((type) => `<code>${escapeHtml(type)}</code>`).join(', ')}</p>`
      : '',
    renderResponseFields(operation, schemas),
    `<ul>${responses}</ul></section>`,
  ].join('\n');
}

/** A self-contained HTML reference (no scripts, no external assets) rendered from the OpenAPI document. */
export function renderDocsPage(document: OpenApiDocument): string {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaView>;
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item ?? {}).map(([method, operation]) =>
      renderOperation(method, path, operation as OperationView, schemas),
    ),
  );
  const errorRows = Object.entries(ERROR_STATUS)
    .map(([code, status]) => `<tr><td><code>${status}</code></td><td><code>${code}</code></td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(INFO.title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
section { border-top: 1px solid #ddd; margin-top: 1.5rem; }
nav { margin-bottom: 1rem; }
</style>
</head>
<body>
<nav aria-label="Site"><a href="/"><strong>open-ser</strong></a> ${SITE_LINKS.map((link) => `· <a href="${link.href}">${escapeHtml(link.text)}</a>`).join(' ')} · <a href="/docs" aria-current="page">API reference</a></nav>
<h1>${escapeHtml(INFO.title)} <small>${escapeHtml(INFO.version)}</small></h1>
<p>${escapeHtml(INFO.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<section><h2>Try it</h2>
<form method="post" action="/v1/classify?segment=3" enctype="multipart/form-data">
<label>A WAV or FLAC clip: <input type="file" name="file" accept=".wav,.flac,audio/wav,audio/flac" required></label>
<button type="submit">Classify</button>
</form>
<p>The answer opens as JSON. To record from a microphone, use the <a href="/demo/">demo</a>.</p></section>
${operations.join('\n')}
<section><h2>Error codes</h2><table><thead><tr><th>status</th><th>code</th></tr></thead><tbody>${errorRows}</tbody></table></section>
</body>
</html>
`;
}

/** `GET /openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas) and `GET /docs` (readable page). */
export function registerDocsRoutes(app: OpenAPIHono<AppEnv>): void {
  let document: OpenApiDocument | undefined;
  // Generated on first use: the routes are all registered by then, and it never changes afterwards.
  const getDocument = () => {
    if (document === undefined) {
      registerComponents();
      document = app.getOpenAPI31Document({ openapi: '3.1.0', info: INFO, servers: SERVERS });
    }
    return document;
  };
  app.get('/openapi.json', (c) => c.json(getDocument()));
  app.get('/docs', (c) => c.html(renderDocsPage(getDocument())));
}
