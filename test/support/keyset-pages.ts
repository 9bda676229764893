/**
 * Every page of a keyset list, following its cursor from the first page until a page has none
 * (at most `limit` pages, so a cursor that never advances ends the walk instead of the test).
 */
export async function allPages<T>(
  page: (cursor: T | undefined) => Promise<{ rows: unknown[]; next?: T }>,
  limit = 100,
): Promise<unknown[][]> {
  const pages: unknown[][] = [];
  let cursor: T | undefined;
  do {
    const { rows, next } = await page(cursor);
    pages.push(rows);
    cursor = next;
  } while (cursor !== undefined && pages.length < limit);
  return pages;
}
