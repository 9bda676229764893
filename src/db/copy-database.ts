import type pg from 'pg';
import { FleetbotError } from '../domain/errors.ts';

/** Rows fetched from the source and inserted into the target at a time. */
const BATCH = 2_000;
/** Applied by `migrate` on each side before the copy; never copied. */
const MIGRATIONS_TABLE = 'fleetbot_migrations';

export interface CopyProgress {
  table: string;
  rows: number;
}

export interface CopyReport {
  tables: CopyProgress[];
  sequences: number;
}

/**
 * Copies fleetbot's tables (schema `public`, both sides migrated to the same version) from `source`
 * to `target`: the source read in one snapshot, the target written in one transaction, parents
 * before children, each sequence set where the source's stands. The target must hold no fleetbot
 * rows: a copy never merges. The queue's schema is not copied: what it held is planned again from
 * these tables when fleetbot starts (timers, deliveries, sweeps).
 */
export async function copyDatabase(
  source: pg.ClientBase,
  target: pg.ClientBase,
  onTable: (progress: CopyProgress) => void = () => {},
): Promise<CopyReport> {
  await sameSchemaVersion(source, target);
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await target.query('BEGIN');
  try {
    const tables = inDependencyOrder(await tableNames(source), await foreignKeys(source));
    const occupied = [];
    for (const table of tables) {
      const { rows } = await target.query(`SELECT EXISTS (SELECT 1 FROM public.${quote(table)}) AS any`);
      if (rows[0]?.any) occupied.push(table);
    }
    if (occupied.length > 0) {
      throw new FleetbotError(
        'invalid',
        `The target database already holds fleetbot data (${occupied.join(', ')}).`,
        {
          hint: 'Copy into an empty database: create a new one, or drop and recreate this one, then run the copy again.',
        },
      );
    }
    const copied: CopyProgress[] = [];
    for (const table of tables) {
      const progress = { table, rows: await copyTable(source, target, table) };
      copied.push(progress);
      onTable(progress);
    }
    const sequences = await copySequences(source, target);
    await target.query('COMMIT');
    await source.query('COMMIT');
    return { tables: copied, sequences };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    await source.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function sameSchemaVersion(source: pg.ClientBase, target: pg.ClientBase): Promise<void> {
  const version = async (client: pg.ClientBase) =>
    Number((await client.query(`SELECT max(version) AS v FROM ${MIGRATIONS_TABLE}`)).rows[0]?.v ?? 0);
  const [from, to] = [await version(source), await version(target)];
  if (from !== to) {
    throw new FleetbotError('invalid', `The source is at schema version ${from} and the target at ${to}.`, {
      hint: 'Run the copy with one fleetbot version, which migrates both sides first.',
    });
  }
}

async function tableNames(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1 ORDER BY 1`,
    [MIGRATIONS_TABLE],
  );
  return rows.map((row) => row.name);
}

async function foreignKeys(client: pg.ClientBase): Promise<{ child: string; parent: string }[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
       JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace`,
  );
  return rows;
}

/** Parents before children (a table's own reference to itself does not order it). */
export function inDependencyOrder(
  tables: readonly string[],
  keys: readonly { child: string; parent: string }[],
): string[] {
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (table: string, path: readonly string[]) => {
    if (placed.has(table)) return;
    if (path.includes(table)) throw new Error(`foreign keys form a cycle: ${[...path, table].join(' → ')}`);
    for (const key of keys)
      if (key.child === table && key.parent !== table) visit(key.parent, [...path, table]);
    placed.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** Through JSON, which keeps every column type PostgreSQL has; generated columns are recomputed. */
async function copyTable(source: pg.ClientBase, target: pg.ClientBase, table: string): Promise<number> {
  const { rows: columns } = await source.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  const list = columns.map((column) => quote(column.name)).join(', ');
  const name = `public.${quote(table)}`;
  const cursor = `copy_${table}`;
  await source.query(
    `DECLARE ${quote(cursor)} NO SCROLL CURSOR FOR SELECT to_jsonb(t) AS row FROM ${name} t`,
  );
  let total = 0;
  for (;;) {
    const { rows } = await source.query<{ row: unknown }>(`FETCH ${BATCH} FROM ${quote(cursor)}`);
    if (rows.length === 0) break;
    await target.query(
      `INSERT INTO ${name} (${list}) OVERRIDING SYSTEM VALUE
       SELECT ${list} FROM jsonb_populate_recordset(NULL::${name}, $1::jsonb)`,
      [JSON.stringify(rows.map((row) => row.row))],
    );
    total += rows.length;
  }
  await source.query(`CLOSE ${quote(cursor)}`);
  return total;
}

async function copySequences(source: pg.ClientBase, target: pg.ClientBase): Promise<number> {
  const { rows } = await source.query<{ name: string; last: string | null }>(
    "SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = 'public'",
  );
  for (const { name, last } of rows) {
    // Never used: left at its start. Used: the next value after the source's last.
    if (last !== null)
      await target.query('SELECT setval($1::regclass, $2::bigint, true)', [`public.${quote(name)}`, last]);
  }
  return rows.length;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
