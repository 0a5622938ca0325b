/**
 * Walks every page of `queryUnCallBack` once: page 1 says how many pages there are, and each
 * later page's own `pages` is trusted over it, so a total that grows or shrinks while we read
 * moves the end accordingly. Entries that shift between pages as 百应 updates the list are
 * picked up by the next run (the reconciler is idempotent).
 */
import { type ByrobotClient, MAX_PAGE_SIZE, type MissPage, type UnCallBackQuery } from './client.js';

/** A bound against a runaway `pages` value: 10 000 pages of 500 is five million misses. */
const MAX_PAGES = 10_000;

export async function* allPages(
  client: Pick<ByrobotClient, 'queryUnCallBack'>,
  query: Omit<UnCallBackQuery, 'pageNum'>,
): AsyncGenerator<MissPage> {
  let pages = 1;
  for (let pageNum = 1; pageNum <= Math.min(pages, MAX_PAGES); pageNum++) {
    const page = await client.queryUnCallBack({
      ...query,
      pageNum,
      pageSize: query.pageSize ?? MAX_PAGE_SIZE,
    });
    pages = page.pages;
    yield page;
    if (page.list.length === 0) return;
  }
}
