// Contract tier, second half (docs/api.md): every answer ems_contract_recorder recorded from a
// real stack is checked against the served OpenAPI document.
//
//   node validate.mjs NODE_DIR OPENAPI_JSON ANSWERS_JSON
//
// NODE_DIR holds node_modules (tests/contract/install.sh). Fails when an answer's route or status
// is not documented, its Content-Type or body does not match the documented response (objects
// are closed here: a member the document does not name fails too), a request named a query
// parameter the operation does not document, a successful request's body or parameter values
// do not match their documented schemas, a registered route was never asked, or a documented
// status of an operation was never answered.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'node:test';

const [nodeDir, documentFile, answersFile] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const document = JSON.parse(readFileSync(documentFile, 'utf8'));
const { routes, answers } = JSON.parse(readFileSync(answersFile, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

// Documented statuses no test can bring about on a healthy stack.
const NOT_ASKED = {
  'getHealth 503': 'needs a database that cannot be opened',
  ...Object.fromEntries(['remoteStartStation', 'remoteStopStation'].flatMap((op) =>
    ['202', '422', '502', '504'].map((status) => [`${op} ${status}`,
      'needs a charger connected to ems-ocpp (tests/ocpp/ asks for 202, 422 and 504)']))),
};

// A copy of the document that JSON Schema validators read as OpenAPI 3.0 means it: a boolean
// exclusiveMinimum/Maximum makes minimum/maximum exclusive. `close`: object schemas also allow
// no member they do not name.
function jsonSchemaOf(node, close) {
  if (Array.isArray(node)) return node.map((v) => jsonSchemaOf(v, close));
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, jsonSchemaOf(v, close)]));
  const bounds = [['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum']];
  for (const [bound, exclusive] of bounds) {
    if (typeof out[exclusive] === 'boolean') {
      if (out[exclusive]) out[exclusive] = out[bound];
      else delete out[exclusive];
      if (out[exclusive] !== undefined) delete out[bound];
    }
  }
  const open = !('additionalProperties' in out);
  if (close && out.properties && typeof out.properties === 'object' && open) {
    out.additionalProperties = false;
  }
  return out;
}

// One validator per document copy: schemas are reached by JSON pointer into the document.
function validatorOf(doc) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi.json');
  return (pointer) => ajv.getSchema('openapi.json#' + pointer);
}
const responseValidator = validatorOf(jsonSchemaOf(document, true));
const requestValidator = validatorOf(jsonSchemaOf(document, false));

const escape = (segment) =>
  encodeURIComponent(String(segment).replace(/~/g, '~0').replace(/\//g, '~1'));
const pointer = (...segments) => segments.map((s) => '/' + escape(s)).join('');
// A "#/components/..." reference as the pointer it names.
const refPointer = (ref) =>
  ref
    .slice(1)
    .split('/')
    .slice(1)
    .map((s) => '/' + escape(s.replace(/~1/g, '/').replace(/~0/g, '~')))
    .join('');
const resolve = (ptr) =>
  ptr
    .split('/')
    .slice(1)
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => node[key], document);

// The document's path for a concrete path: the template that matches with the fewest parameters.
const templates = Object.keys(document.paths).map((template) => ({
  template,
  params: (template.match(/\{/g) || []).length,
  regex: new RegExp(
    '^' +
      template
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+') +
      '$',
  ),
}));
function operationOf(method, url) {
  const bare = url.split('?')[0];
  const m = method.toLowerCase();
  const found = templates
    .filter((t) => t.regex.test(bare) && document.paths[t.template][m])
    .sort((a, b) => a.params - b.params)[0];
  return found && { template: found.template, method: m, op: document.paths[found.template][m] };
}

const mediaType = (contentType) => (contentType || '').split(';')[0].trim().toLowerCase();
const label = (a) => `${a.method} ${a.path} → ${a.status}`;
const errorsText = (errors, whole = '(body)') =>
  errors.map((e) => `${e.instancePath || whole} ${e.message} ${JSON.stringify(e.params)}`);

// Query parameters the request named that the operation does not document; for a successful
// request also the path and query values that break their documented schema.
function parameterProblemsOf(a, template, method, op, name) {
  const problems = [];
  const documented = new Map();
  (op.parameters || []).forEach((p, i) => {
    const ptr = p.$ref ? refPointer(p.$ref) : pointer('paths', template, method, 'parameters', i);
    const param = p.$ref ? resolve(ptr) : p;
    documented.set(`${param.in} ${param.name}`, ptr + '/schema');
  });
  const [bare, query = ''] = a.path.split('?');
  const values = [...new URLSearchParams(query)].map(([key, value]) => ['query', key, value]);
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const segments = template.split('/');
  bare.split('/').forEach((segment, i) => {
    const param = /^\{([^}]+)\}$/.exec(segments[i]);
    if (param && names.includes(param[1])) {
      values.push(['path', param[1], decodeURIComponent(segment)]);
    }
  });
  for (const [where, key, value] of values) {
    const schemaPtr = documented.get(`${where} ${key}`);
    if (!schemaPtr) {
      problems.push(`${label(a)}: ${where} parameter '${key}' is not documented for ${name}`);
      continue;
    }
    if (a.status >= 300) continue;
    const schema = resolve(schemaPtr);
    const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
    const validate = requestValidator(schemaPtr);
    if (!validate(typed)) {
      problems.push(
        `${label(a)}: ${where} parameter ${key}=${value}: ` +
          errorsText(validate.errors, '(value)').join('; '),
      );
    }
  }
  return problems;
}

// The problems of one answer, [] when it is as documented.
function problemsOf(a) {
  const found = operationOf(a.method, a.path);
  if (!found) return [`${label(a)}: no documented operation serves ${a.method} ${a.path}`];
  const { template, method, op } = found;
  const name = `${op.operationId} (${method.toUpperCase()} ${template})`;
  let responsePtr = pointer('paths', template, method, 'responses', String(a.status));
  let response = op.responses[String(a.status)];
  if (!response) return [`${label(a)}: status ${a.status} is not documented for ${name}`];
  if (response.$ref) {
    responsePtr = refPointer(response.$ref);
    response = resolve(responsePtr);
  }
  const problems = parameterProblemsOf(a, template, method, op, name);
  if (!response.content) {
    if (a.body !== '') problems.push(`${label(a)}: ${name} documents no body, got ${a.body}`);
    return problems;
  }
  const type = mediaType(a.content_type);
  if (!response.content[type]) {
    return [`${label(a)}: Content-Type ${a.content_type} is not documented for ${name}`];
  }
  if (type !== 'application/json') return problems;
  let body;
  try {
    body = JSON.parse(a.body);
  } catch {
    return [`${label(a)}: the body is not JSON: ${a.body.slice(0, 200)}`];
  }
  const validate = responseValidator(responsePtr + pointer('content', type, 'schema'));
  if (!validate(body)) {
    problems.push(
      `${label(a)}: the body does not match ${name}'s schema: ` +
        errorsText(validate.errors).join('; ') +
        `\n    body: ${a.body.slice(0, 400)}`,
    );
  }
  // A successful request's body is one the document describes.
  if (a.status < 300 && a.request_body && op.requestBody) {
    const requestPtr = pointer(
      ...['paths', template, method, 'requestBody', 'content', 'application/json', 'schema'],
    );
    const validateRequest = requestValidator(requestPtr);
    if (!validateRequest(JSON.parse(a.request_body))) {
      problems.push(
        `${label(a)}: the request body ${a.request_body} does not match ${name}'s requestBody: ` +
          errorsText(validateRequest.errors).join('; '),
      );
    }
  }
  return problems;
}

test('the recording holds answers of a running API', () => {
  assert.ok(answers.length > 0, 'no answer was recorded');
  assert.ok(routes.length > 0, 'no registered route was listed');
});

test('every answer is documented and matches its schema', () => {
  const problems = answers.flatMap(problemsOf);
  assert.ok(
    problems.length === 0,
    `${problems.length} answers differ from the document:\n` + problems.join('\n'),
  );
});

test('every registered route was asked', () => {
  const unasked = routes.filter((route) => {
    const [method, pattern] = route.split(' ');
    const regex = new RegExp('^' + pattern + '$');
    return !answers.some((a) => a.method === method && regex.test(a.path.split('?')[0]));
  });
  assert.ok(unasked.length === 0, 'registered routes nobody asked: ' + unasked.join(', '));
});

test('every documented status of every operation was answered', () => {
  const answered = new Set();
  for (const a of answers) {
    const found = operationOf(a.method, a.path);
    if (found) answered.add(`${found.op.operationId} ${a.status}`);
  }
  const missing = [];
  for (const ops of Object.values(document.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      for (const status of Object.keys(op.responses)) {
        const key = `${op.operationId} ${status}`;
        if (!answered.has(key) && !NOT_ASKED[key]) missing.push(key);
      }
    }
  }
  assert.ok(
    missing.length === 0,
    'documented answers the recorder never got (ask for them in record_answers.cpp): ' +
      missing.join(', '),
  );
});

test('every example in the document matches its schema', () => {
  const problems = [];
  const visit = (node, ptr) => {
    if (node === null || typeof node !== 'object') return;
    const schema = node.type || node.properties || node.$ref;
    if ('example' in node && schema && !ptr.includes('/parameters/')) {
      const validate = responseValidator(ptr);
      if (validate && !validate(node.example)) {
        problems.push(`${ptr}: ${errorsText(validate.errors).join('; ')}`);
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'example') visit(value, ptr + '/' + escape(key));
    }
  };
  visit(document.components.schemas, '/components/schemas');
  assert.ok(problems.length === 0, 'examples that break their own schema:\n' + problems.join('\n'));
});
