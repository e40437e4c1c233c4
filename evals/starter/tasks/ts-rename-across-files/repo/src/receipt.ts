import { calcTotal } from "./cart.ts";
import type { LineItem } from "./types.ts";

/** The last line of a receipt. */
export function totalLine(items: LineItem[]): string {
  return `Total: ${(calcTotal(items) / 100).toFixed(2)}`;
}
