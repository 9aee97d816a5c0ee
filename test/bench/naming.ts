/**
 * Naming benchmark: a deterministic 100,000-name corpus (Bubble-style field names plus random
 * Unicode) through toSafePrismaFieldName, NameSanitiser.sanitize and the escapers/allocators.
 * The bar is "< 1 ms per field name"; a naive camelCase (what a hand-written mirror would do) is timed
 * in the same run as the baseline, with the share of invalid Prisma names it produces.
 * `opts.records` overrides the corpus size (for a quick run).
 */
import {
  createColumnAllocator,
  NameSanitiser,
  prismaString,
  toSafeModelName,
  toSafePrismaFieldName,
  validateFieldName,
} from '../../generator/naming/index.js';

const DEFAULT_NAMES = 100_000;
const FIELDS_PER_MODEL = 60;

/** mulberry32: a tiny seeded PRNG, so every run measures the same corpus. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = ['', '', '', '1st ', '2nd ', '# of ', 'Is ', 'Total ', 'Last ', 'Has ', '_', 'Old '];
const NOUNS = [
  'Payment',
  'Customer',
  'Name',
  'Amount',
  'Date',
  'Commission',
  'Unit',
  'Price',
  'Tax',
  'Owner',
  'Tenant',
  'Lease',
  'Invoice',
  'Status',
  'Email',
  'Phone',
  'Address',
  'Photos',
  'Notes',
  'Rent',
  'Deposit',
  'Manager',
  'Eligible',
  'Paid',
  'Method',
  'Created',
  'Modified',
  'Slug',
  'Admin',
  'Sq. Ft.',
];
const SUFFIXES = ['', '', '', ' %', '?', ' ($)', ' V2', '/VAT', ' (incl. tax)', ' #', ' & Fees', ' 2', '_text', '_list_image'];
// Latin-1 letters, Cyrillic, CJK, emoji, symbols: where transliteration earns its keep.
const UNICODE_RANGES: [number, number][] = [
  [0xc0, 0xff],
  [0x410, 0x44f],
  [0x4e00, 0x4fff],
  [0x1f600, 0x1f64f],
  [0x2190, 0x21ff],
];

function corpus(size: number): string[] {
  const random = prng(20240611);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const names: string[] = [];
  for (let i = 0; i < size; i += 1) {
    const r = random();
    if (r < 0.8) {
      const words = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(NOUNS)).join(' ');
      names.push(pick(PREFIXES) + words + pick(SUFFIXES));
    } else if (r < 0.97) {
      const length = 1 + Math.floor(random() * 12);
      const chars = Array.from({ length }, () => {
        if (random() < 0.2) return ' ';
        const [lo, hi] = pick(UNICODE_RANGES);
        return String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
      });
      names.push(chars.join(''));
    } else {
      names.push(pick(NOUNS).repeat(10 + Math.floor(random() * 10)));
    }
  }
  return names;
}

/** A naive `toCamelCase()`: lower-case, then capitalise after every run of non-alphanumerics. */
function naiveCamelCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
    .replace(/^[^a-z0-9]+/, '');
}

interface Row {
  label: string;
  seconds: number;
  count: number;
}

function time(label: string, count: number, body: () => void): Row {
  body(); // warm-up pass: JIT and any-ascii's lazily loaded blocks
  const start = process.hrtime.bigint();
  body();
  return { label, count, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export async function run(opts: { records?: number } = {}): Promise<string> {
  const size = opts.records ?? DEFAULT_NAMES;
  const names = corpus(size);
  let sink = 0;

  const baseline = time('naive camelCase (old toCamelCase, baseline)', size, () => {
    for (const n of names) sink += naiveCamelCase(n).length;
  });
  const field = time('toSafePrismaFieldName', size, () => {
    for (const n of names) sink += toSafePrismaFieldName(n).length;
  });
  const sanitiser = time(`NameSanitiser.sanitize (new instance per ${FIELDS_PER_MODEL} fields)`, size, () => {
    let s = new NameSanitiser();
    names.forEach((n, i) => {
      if (i % FIELDS_PER_MODEL === 0) s = new NameSanitiser();
      sink += s.sanitize(n).length;
    });
  });
  const oneInstance = time('NameSanitiser.sanitize (one instance, all names)', size, () => {
    const s = new NameSanitiser();
    for (const n of names) sink += s.sanitize(n).length;
  });
  const model = time('toSafeModelName', size, () => {
    for (const n of names) sink += toSafeModelName(n).length;
  });
  const columns = time(`column allocator + prismaString (new allocator per ${FIELDS_PER_MODEL})`, size, () => {
    let a = createColumnAllocator();
    names.forEach((n, i) => {
      if (i % FIELDS_PER_MODEL === 0) a = createColumnAllocator();
      sink += prismaString(a.allocate(n)).length;
    });
  });

  const invalidOld = names.filter((n) => !validateFieldName(naiveCamelCase(n)).valid).length;
  const invalidNew = names.filter((n) => !validateFieldName(toSafePrismaFieldName(n)).valid).length;
  const uniqueNew = new Set(names.map((n) => toSafePrismaFieldName(n))).size;

  const rows = [baseline, field, sanitiser, oneInstance, model, columns];
  const lines = rows.map((r) => {
    const perSecond = Math.round(r.count / r.seconds).toLocaleString('en-US');
    const micro = ((r.seconds * 1e6) / r.count).toFixed(2);
    const ratio = (r.seconds / field.seconds).toFixed(2);
    return `| ${r.label} | ${perSecond} | ${micro} | ${ratio}× |`;
  });
  const pct = (k: number) => `${((100 * k) / size).toFixed(1)}%`;
  return [
    `## Naming (${size.toLocaleString('en-US')} names)`,
    '',
    `Deterministic corpus: 80% Bubble-style field names, 17% random Unicode (Latin-1, Cyrillic, CJK, emoji, arrows), 3% long names; ${uniqueNew.toLocaleString('en-US')} distinct sanitised names.`,
    '',
    '| operation | names/second | µs per name | time vs toSafePrismaFieldName |',
    '|---|---:|---:|---:|',
    ...lines,
    '',
    `Invalid or reserved Prisma field names: naive camelCase ${invalidOld.toLocaleString('en-US')} (${pct(invalidOld)}), toSafePrismaFieldName ${invalidNew} (${pct(invalidNew)}). Plan bar: < 1,000 µs per name.`,
    sink === 0 ? '' : '',
  ]
    .join('\n')
    .trimEnd();
}
