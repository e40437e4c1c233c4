import { Cart, priceOf } from "./cart.js";

export function Checkout(props: { cart: Cart }) {
  const label = priceOf(props.cart, "EUR");
  return <button type="submit">Pay {label}</button>;
}

export const emptyCart = () => new Cart();
