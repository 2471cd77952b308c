'use strict';
// Depth and cost limits (docs/graphql.md, Limits): validation rules, so a query over either limit
// is refused before any of it runs. Introspection fields (__schema, __type, __typename) cost
// nothing here; graphql-js bounds their nesting itself (MaxIntrospectionDepthRule).
const { GraphQLError, Kind, getNamedType, valueFromAST } = require('graphql');

// Fields that make one REST call each time they resolve (at most; identical calls of a request
// are made once).
const REST_FIELDS = new Set([
  'Query.me', 'Query.sites', 'Query.site', 'Query.devices', 'Query.device', 'Query.energySummary',
  'Query.fleetEnergySummary', 'Query.sessions', 'Site.devices', 'Site.energySummary', 'Device.site',
  'Device.series', 'Device.chargingSchedule', 'AtHome.chargingSchedule',
]);
const DEFAULT_PAGE = 100; // the REST default `limit`
const MAX_PAGE = 1000; // the REST maximum

function refuse(context, node, reason, message) {
  context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code: 'BAD_USER_INPUT', reason } }));
}

// Walks the selections of `node` under `type`, calling visit(field, fieldDef, parentType) for each
// field and returning what `combine` makes of them; fragments are followed (a cycle, refused by
// the standard rules, stops here).
function fields(context, selectionSet, type, visit, seen = new Set()) {
  const out = [];
  for (const sel of selectionSet ? selectionSet.selections : []) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const def = type && type.getFields ? type.getFields()[sel.name.value] : undefined;
      out.push(visit(sel, def, type));
    } else {
      let fragment = sel;
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(sel.name.value)) continue;
        fragment = context.getFragment(sel.name.value);
        if (!fragment) continue;
        seen = new Set(seen).add(sel.name.value);
      }
      const cond = fragment.typeCondition ? context.getSchema().getType(fragment.typeCondition.name.value) : type;
      out.push(...fields(context, fragment.selectionSet, cond, visit, seen));
    }
  }
  return out;
}

function depthLimit(maxDepth) {
  return (context) => ({
    OperationDefinition(op) {
      const depth = (set, type) =>
        Math.max(0, ...fields(context, set, type, (f, def) => 1 + depth(f.selectionSet, def && getNamedType(def.type))));
      const d = depth(op.selectionSet, context.getSchema().getRootType(op.operation));
      if (d > maxDepth) {
        refuse(context, op, 'MAX_DEPTH', `The query nests fields ${d} deep; at most ${maxDepth} are allowed.`);
      }
    },
  });
}

// The page size a connection field asks for: its `first` (a literal or a variable's value), the
// REST default without one, the largest page when it cannot be known.
function pageSize(field, def, variables) {
  const arg = field.arguments.find((a) => a.name.value === 'first');
  if (!arg) return DEFAULT_PAGE;
  const argDef = def.args.find((a) => a.name === 'first');
  const n = valueFromAST(arg.value, argDef.type, variables);
  if (n === null) return DEFAULT_PAGE;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PAGE ? n : MAX_PAGE;
}

// Cost = the REST calls a query may make: each REST field once, times the page size of every
// connection above it.
function costLimit(maxCost, variables) {
  return (context) => ({
    OperationDefinition(op) {
      const cost = (set, type) =>
        fields(context, set, type, (f, def, parent) => {
          if (!def) return 0;
          const own = REST_FIELDS.has(`${parent.name}.${f.name.value}`) || op.operation === 'mutation' && parent === context.getSchema().getMutationType() ? 1 : 0;
          const each = def.args.some((a) => a.name === 'first') ? pageSize(f, def, variables || {}) : 1;
          return own + each * cost(f.selectionSet, getNamedType(def.type));
        }).reduce((a, b) => a + b, 0);
      const c = cost(op.selectionSet, context.getSchema().getRootType(op.operation));
      if (c > maxCost) {
        refuse(context, op, 'MAX_COST', `The query may need ${c} calls of the REST API; at most ${maxCost} are allowed. Ask for smaller pages (first) or fewer nested lists.`);
      }
    },
  });
}

module.exports = { depthLimit, costLimit };
