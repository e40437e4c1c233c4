/**
 * Returns one page of `items`: page 1 holds the first `size` items.
 *
 * @param {unknown[]} items - The whole list.
 * @param {number} page - The page number, from 1.
 * @param {number} size - Items per page.
 * @returns {unknown[]} The items on that page (fewer on the last page).
 */
export function paginate(items, page, size) {
  const start = page * size;
  return items.slice(start, start + size);
}

/**
 * How many pages `items` fill.
 *
 * @param {unknown[]} items - The whole list.
 * @param {number} size - Items per page.
 * @returns {number} The page count.
 */
export function pageCount(items, size) {
  return Math.ceil(items.length / size);
}
