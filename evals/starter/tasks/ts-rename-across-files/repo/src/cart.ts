import type { LineItem } from "./types.ts";

/** The total in cents of the line items. */
export function calcTotal(items: LineItem[]): number {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}
