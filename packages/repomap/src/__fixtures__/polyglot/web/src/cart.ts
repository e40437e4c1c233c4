import { formatPrice } from "../legacy/util.js";

export interface LineItem {
  sku: string;
  cents: number;
}

export type Currency = "EUR" | "USD";

export class Cart {
  private readonly lines: LineItem[] = [];

  addItem(item: LineItem): void {
    this.lines.push(item);
  }

  total(): number {
    return this.lines.reduce((sum, line) => sum + line.cents, 0);
  }
}

export function priceOf(cart: Cart, currency: Currency): string {
  return formatPrice(cart.total(), currency);
}
