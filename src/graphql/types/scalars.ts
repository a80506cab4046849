import { Kind, type ValueNode } from 'graphql';
import { scalarType } from 'nexus';
import { isStorableDate } from '../../db/index.js';
import { UploadedFile } from '../../domain/uploaded-file.js';

function parseDate(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new TypeError(`"${text.slice(0, 40)}" is not an ISO-8601 timestamp.`);
  if (!isStorableDate(date)) throw new TypeError(`"${text.slice(0, 40)}" is outside the supported range 0001-01-01 to 9999-12-31.`);
  return date;
}

export const DateTime = scalarType({
  name: 'DateTime',
  description: 'An ISO-8601 timestamp in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => parseDate(String(value)),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime literals must be strings.');
    return parseDate(ast.value);
  },
});

function literalToJson(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    default:
      throw new TypeError('JSON literals cannot contain variables.');
  }
}

export const JSONScalar = scalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});

const UPLOAD_ONLY = 'An Upload is a file part of a multipart/form-data request, placed by its "map" (README, "Sending images as files"); it cannot be written in JSON or in the query.';

export const Upload = scalarType({
  name: 'Upload',
  description: 'A file sent as a part of a multipart/form-data request (the GraphQL multipart request spec). Only as a variable; each file fills one.',
  serialize: () => {
    throw new TypeError('Upload is an input type.');
  },
  parseValue: (value) => {
    if (value instanceof UploadedFile) return value;
    throw new TypeError(UPLOAD_ONLY);
  },
  parseLiteral: () => {
    throw new TypeError(UPLOAD_ONLY);
  },
});
