// Generators of hostile input for the fuzz suites: values an agent, a prompt injection or a broken
// client could put in a JSON-RPC body or in tool arguments.
import fc from 'fast-check';

/** Identifiers that try paths, queries, encodings and prototype keys. */
export const NASTY_IDS = [
  'admin/../x', 'admin/x?y=z', '/', '', 'admin/', 'admin//x', 'admin/x/y', '../admin/x', '..', 'admin/..', 'admin/.',
  'admin/%2e%2e', 'admin/%2Fx', 'admin/x#frag', 'admin/x&owner=built-in', 'admin/x;drop', 'admin/x\u0000', 'admin/\u0000',
  'admin/\u202ex', 'admin/💥', 'admin/x\r\nX-Injected: 1', '__proto__', 'constructor', 'prototype', 'admin/__proto__',
  'admin/constructor', 'built-in/admin', 'ADMIN/x', ' admin/x', 'admin/x ', 'admin/***', '***', 'admin/app-built-in',
  'acme/../built-in/admin', 'acme/alice?owner=built-in', 'acme/', '/acme/alice', 'acme/alice/', 'http://evil.example/x',
  'admin/' + 'a'.repeat(101), 'admin/a b', 'admin/a+b', 'admin/a=b', 'admin/a:b',
];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'isAdmin', 'owner'];

/** Strings of every kind: any UTF-16 (lone surrogates included), NUL and controls, RTL marks, huge. */
export const nastyString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_IDS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u202e', '\ud800', '\udfff', '/', '.', '%', '"', '\\', 'a', 'é', '𝕏'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
);

/**
 * JSON text of arrays or objects nested `depth` levels deep around a leaf. Built as text: building the
 * value and stringifying it would overflow the test's own stack first.
 */
export function nestedJson(depth: number, leaf: unknown, asObject: boolean): string {
  const [open, close] = asObject ? ['{"a":', '}'] : ['[', ']'];
  return `${open.repeat(depth)}${JSON.stringify(leaf)}${close.repeat(depth)}`;
}
export const deeplyNestedJson = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean(), fc.constantFrom('x', 'admin/../x', '\u0000', 1, null))
  .map(([depth, asObject, leaf]) => nestedJson(depth, leaf, asObject));

/** Where a generated value is replaced by deeply nested JSON text (see withDeep). */
export const DEEP = '\u0000deep\u0000';
/** Serialises `value`, putting `deep` in place of the DEEP placeholder string. */
export function withDeep(text: string, deep: string): string {
  return text.replace(JSON.stringify(DEEP), deep);
}

/** Any JSON value, with hostile strings and numbers mixed in. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, 0.5, 1e-300),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON-RPC ids: valid ones must be echoed, invalid ones refused. */
export const anyId = fc.oneof(
  fc.integer(), fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY_IDS.slice(0, 12)),
  fc.constantFrom(null, true, 1.5, -0, [], {}, 1e308),
);

/**
 * Serialises with __proto__ and constructor as own keys (JSON.stringify of an object literal would
 * lose a literal __proto__), so the server really receives them.
 */
export function hostileJson(value: unknown, extraKeys: Record<string, unknown> = {}): string {
  const text = JSON.stringify(value);
  if (!text.startsWith('{') || Object.keys(extraKeys).length === 0) return text;
  const extra = Object.entries(extraKeys).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
  return text === '{}' ? `{${extra}}` : `{${extra},${text.slice(1)}`;
}
