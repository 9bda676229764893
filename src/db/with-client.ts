import type pg from 'pg';

/**
 * A client of `pool` for `work` (a transaction, a session lock), released afterwards, and destroyed
 * rather than reused when its connection failed. pg-pool takes its own 'error' listener off a client
 * it hands out: PostgreSQL going away while one is held between two queries (a failover, a restart,
 * the embedded server killed) would otherwise be an unhandled 'error' that ends the process.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
