import type { PgClient, PostgresClient, PostgresJsClient } from '../options.js';

/** Runs one parameterised statement; resolves with the number of rows it affected. */
export type Run = (text: string, values: string[]) => Promise<number>;

function isPostgresJs(client: PostgresClient): client is PostgresJsClient {
  // postgres.js's `sql` is a tagged-template function carrying `unsafe`;
  // a pg Pool or Client is an object with `query` and no `unsafe`.
  return typeof (client as Partial<PostgresJsClient>).unsafe === 'function';
}

/**
 * One function over either client. Both send the statement text and its
 * parameters separately (extended protocol): values never become SQL. No
 * named prepared statements, so a transaction-mode pooler (PgBouncer) works.
 */
export function runner(client: PostgresClient): Run {
  if (isPostgresJs(client)) {
    const sql = client;
    return async (text, values) => (await sql.unsafe(text, values as never[])).count;
  }
  const pg: PgClient = client;
  return async (text, values) => {
    const result = await pg.query({ text, values });
    if (typeof result?.rowCount !== 'number') throw new Error('the pg client answered without a rowCount');
    return result.rowCount;
  };
}
