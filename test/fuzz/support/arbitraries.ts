import fc from 'fast-check';

/**
 * Characters that have broken text handling somewhere before: NUL (PostgreSQL text and jsonb
 * refuse it), lone surrogates (jsonb refuses their escapes), BOM and zero-width characters,
 * bidi overrides, line separators, NFKC look-alikes, combining marks, emoji sequences, quotes,
 * SQL LIKE wildcards, HTML and path fragments.
 */
export const SPECIAL_PIECES = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2028',
  '\u0085',
  '\u000b',
  '\u00a0',
  '\u3000',
  '\r\n',
  '\t',
  'e\u0301',
  'İ',
  'ß',
  'ﬀ',
  '０７１２',
  '٣',
  '💸',
  '👩🏽‍💻',
  '"',
  '\\',
  "'",
  '`',
  '%',
  '_',
  '*',
  '<script>',
  '&amp;',
  ';',
  '${x}',
  '{{x}}',
  '%00',
  '%zz',
  '../',
  'null',
  ' ',
] as const;

const ODD_LITERALS = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '0',
  '-1',
  '1e309',
  '9'.repeat(40),
  '0x1F',
  '[]',
  '{}',
  '__proto__',
  'constructor',
] as const;

/** Short strings of every kind: ASCII, any code point, graphemes, and the special pieces. */
export function nastyString(maxLength = 60): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: Math.min(maxLength, 20) }) },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.oneof(fc.constantFrom(...SPECIAL_PIECES), fc.string({ maxLength: 4 })), {
          maxLength: 10,
        })
        .map((pieces) => pieces.join('')),
    },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_LITERALS) },
  );
}

/** One character repeated to 5k–200k characters (sizes past every field limit). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('a', '9', ',', '.', ' ', 'é', '💸', '\u0000', 'ab ', '0712 '),
    fc.integer({ min: 5_000, max: 200_000 }),
  )
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/** JSON text nested 2k–60k levels deep: JSON.parse reads it, JSON.stringify of it overflows. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 2_000, max: 60_000 }),
    fc.constantFrom<[string, string, string]>(
      ['[', ']', '1'],
      ['{"a":', '}', '"\\u0000"'],
      ['[{"x":', '}]', 'null'],
    ),
  )
  .map(([depth, [open, close, leaf]]) => open.repeat(depth) + leaf + close.repeat(depth));

export const weirdNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 1.5, 0.1, 250_000, 250_001, 2 ** 31, 2 ** 53 + 2, 1e21, 1e308),
);

/** Any value a JSON body can hold, as the wrong type for a field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString() },
  { weight: 2, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], { '': '' }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: hugeString },
);

type Path = (string | number)[];
type Op = 'delete' | 'replace' | 'null' | 'retype' | 'wrap' | 'extra';

interface Mutation {
  at: number;
  op: Op;
  value: unknown;
  key: string;
}

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      pathsOf(item, [...prefix, i], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      pathsOf(item, [...prefix, key], out);
    }
  }
  return out;
}

function retype(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : [value];
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (Array.isArray(value)) return value[0] ?? {};
  if (value && typeof value === 'object') return Object.values(value);
  return 'null';
}

function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  if (paths.length === 0) return root;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  const path = paths[m.at % paths.length];
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'replace':
      parent[last] = m.value;
      break;
    case 'null':
      parent[last] = null;
      break;
    case 'retype':
      parent[last] = retype(parent[last]);
      break;
    case 'wrap':
      parent[last] = [parent[last]];
      break;
    case 'extra':
      if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last]))
        (parent[last] as Record<string, unknown>)[m.key] = m.value;
      else parent[last] = m.value;
      break;
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Op>('delete', 'replace', 'null', 'retype', 'wrap', 'extra'),
  value: wrongValue,
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', ''), nastyString(12)),
});

/** A valid shape with up to `max` fields deleted, retyped, nulled or replaced by junk. */
export function nearValid<T>(valid: fc.Arbitrary<T>, max = 3): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(mutation, { maxLength: max }))
    .map(([value, mutations]) => mutations.reduce<unknown>(applyMutation, value));
}

// ------------------------------------------------------------------ domain values

export const kenyanMobile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0712345678',
    '+254712345678',
    '254712345678',
    '712345678',
    '0112345678',
    '0712 345 678',
    '0712-345-678',
    '+254 712 345 678',
  ),
  fc.stringMatching(/^(\+254|254|0)[17]\d{8}$/),
);

/** Mostly phone-like: valid, near misses (landlines, other countries, wrong length), junk. */
export const phoneLike: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: kenyanMobile },
  { weight: 2, arbitrary: fc.stringMatching(/^\+?\d{0,16}$/) },
  { weight: 1, arbitrary: fc.constantFrom('+14155550100', '0202345678', '07123456789', '+2547') },
  { weight: 2, arbitrary: nastyString(24) },
);

export const invoiceRefLike: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^INV-[A-Z0-9]{4,12}$/),
  fc.stringMatching(/^#?[Ii][Nn][Vv][-_ ]?[A-Za-z0-9]{1,14}$/),
  nastyString(40),
);

/** Text a merchant or customer might send the bot, and text nobody should. */
export const chatText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'invoice',
          'INVOICE',
          'ankara',
          'new invoice',
          'remind',
          'status',
          'cancel',
          'ghairi',
          'pay',
          'lipa',
          'lang',
          'help',
          'list',
          'customers',
          'back',
          'register',
          'stop',
          'STOP',
          'yes',
          'no',
          '1',
          '2',
          '-',
          '?',
        ),
        fc.array(
          fc.oneof(
            kenyanMobile,
            invoiceRefLike,
            fc.constantFrom('1500', '1,500', 'KES 1500', 'ksh1500', '1.5k', '0', '250001', 'sw'),
            fc.constantFrom('Logo design', '"Mary Wanjiku"', 'Mary', 'x'),
            nastyString(20),
          ),
          { maxLength: 5 },
        ),
      )
      .map(([head, args]) => [head, ...args].join(' ')),
  },
  { weight: 3, arbitrary: nastyString(200) },
  { weight: 1, arbitrary: hugeString.map((s) => `invoice ${s}`) },
);

/** Lone surrogates as U+FFFD: encodeURIComponent refuses them. */
export const wellFormed = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** application/x-www-form-urlencoded, including repeated fields and broken percent-escapes. */
export function formEncode(fields: [string, string][], garbage = ''): string {
  const encoded = fields.map(
    ([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(v))}`,
  );
  return garbage === '' ? encoded.join('&') : [...encoded, garbage].join('&');
}

/** A path segment as a client might send it: percent-encoded, or raw with a broken escape. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyString(80).map((s) => encodeURIComponent(wellFormed(s))) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%00', '..', '%2F', 'a%2Fb', '%FF') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,300}$/) },
);
