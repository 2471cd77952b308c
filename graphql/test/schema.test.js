'use strict';
// The committed SDL (graphql/schema.graphql) is the schema the running service serves, and every
// type, field, argument and enum value in it is described.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  buildClientSchema, buildSchema, getIntrospectionQuery, printSchema, isObjectType, isInputObjectType, isEnumType,
} = require('graphql');
const { skip, gql } = require('../test-support/stack');

const sdl = fs.readFileSync(path.join(__dirname, '..', 'schema.graphql'), 'utf8');

test('the served schema is the committed SDL', { skip }, async () => {
  const answer = await gql(null, getIntrospectionQuery());
  assert.equal(answer.body.errors, undefined, answer.text);
  const served = buildClientSchema(answer.body.data);
  assert.equal(printSchema(served), printSchema(buildSchema(sdl)));
});

test('every type, field, argument and enum value has a description', () => {
  const schema = buildSchema(sdl);
  const missing = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    if (!type.description) missing.push(type.name);
    if (isObjectType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args || []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
  }
  assert.deepEqual(missing, []);
});

test('every resolver names a field of the SDL', () => {
  // makeSchema throws on a resolver for a field the SDL lacks.
  assert.doesNotThrow(() => require('../src/schema').makeSchema());
});
