import { calcTotal } from "./cart.ts";
import type { LineItem } from "./types.ts";

/** The amount to charge, with a flat shipping fee under 50.00. */
export function amountDue(items: LineItem[]): number {
  const total = calcTotal(items);
  return total < 5000 ? total + 499 : total;
}
