import { formatPrice } from "./format.ts";
import type { Item } from "./types.ts";

/** One line of an invoice: "pen: $1.50". */
export function invoiceLine(item: Item): string {
  return `${item.name}: ${formatPrice(item.cents)}`;
}
