export function formatPrice(cents, currency) {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

export class Money {
  constructor(cents) {
    this.cents = cents;
  }
}
