export interface LineItem {
  name: string;
  price: number;
  quantity: number;
}
