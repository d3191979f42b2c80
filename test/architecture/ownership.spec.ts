import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The rules of docs/ARCHITECTURE.md that lint cannot see, held by a scan of src/: SQL lives
 * only in a table's repository (*.repository.ts), a read model (*.query.ts) or a migration;
 * the wiring is plain imports (no ModuleRef look-ups, no handler tokens); and no TypeORM
 * entity pretends to describe the schema.
 */
const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Where SQL may be written; src/database/sql.ts only defines queryRows, the one raw-query helper. */
const SQL_HOMES = [/\.repository\.ts$/, /\.query\.ts$/, /^src\/database\/sql\.ts$/];

/** A statement in a string or template literal, or a raw query call. */
const SQL_PATTERNS: [string, RegExp][] = [
  [
    'a raw query call',
    /\bqueryRows\s*[<(]|\b(?:tx|manager|em|db|dataSource|queryRunner|client|pool)\.query\s*[<(]/,
  ],
  ['SELECT … FROM', /\bSELECT\b[\s\S]{0,400}?\bFROM\s+[a-z_]+/],
  ['INSERT INTO', /\bINSERT\s+INTO\s+[a-z_]+/],
  ['UPDATE … SET', /\bUPDATE\s+[a-z_]+\s+(?:[a-z]\s+)?SET\b/],
  ['DELETE FROM', /\bDELETE\s+FROM\s+[a-z_]+/],
];

const files = sourceFiles(SRC).map((path) => ({
  path: relative(ROOT, path).split('\\').join('/'),
  text: readFileSync(path, 'utf8'),
}));

describe('architecture: one owner per table and one way in', () => {
  it('writes SQL only in repositories, read models and migrations', () => {
    const offenders = files
      .filter((f) => !SQL_HOMES.some((home) => home.test(f.path)))
      .flatMap((f) =>
        SQL_PATTERNS.filter(([, pattern]) => pattern.test(f.text)).map(
          ([what]) => `${f.path}: ${what}`,
        ),
      );
    expect(offenders).toEqual([]);
  });

  it('wires modules by import: no ModuleRef look-ups, no ROLLBACK sentinel, no replay job', () => {
    const offenders = files.flatMap((f) =>
      [
        ['ModuleRef', /\bModuleRef\b/],
        ['a ROLLBACK sentinel', /new Error\(['"][^'"]*deferred/],
        ['a deferred bot step', /\.defer\(/],
        ['a replay job', /replayUnprocessed|WhatsAppReplayJob|SmsInboundSweeper/],
        ['an in-memory in-flight set', /inFlight\s*=\s*new Set/],
      ]
        .filter(([, pattern]) => (pattern as RegExp).test(f.text))
        .map(([what]) => `${f.path}: ${what as string}`),
    );
    expect(offenders).toEqual([]);
  });

  it('declares no TypeORM entities and offers no migration:generate: the migrations are the schema', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(Object.keys(scripts).filter((name) => name.includes('generate'))).toEqual([]);
    const offenders = files
      .filter((f) => /@Entity\(/.test(f.text) || f.path.endsWith('.entity.ts'))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('sees through its own patterns (they would catch a violation)', () => {
    const probe = 'await queryRows(tx, `SELECT id FROM invoices WHERE id = $1`, [id]);';
    expect(SQL_PATTERNS.filter(([, p]) => p.test(probe)).length).toBeGreaterThan(0);
    expect(/\bUPDATE\s+[a-z_]+\s+(?:[a-z]\s+)?SET\b/.test('UPDATE payments p SET x = 1')).toBe(
      true,
    );
  });
});
