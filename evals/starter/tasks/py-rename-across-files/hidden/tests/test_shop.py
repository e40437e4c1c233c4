import unittest

from shop.cart import Cart
from shop.pricing import compute_total
from shop.report import summary_line


class ShopTest(unittest.TestCase):
    def test_compute_total(self):
        self.assertEqual(compute_total([(250, 2), (100, 1)]), 600)

    def test_cart_and_report(self):
        cart = Cart()
        cart.add(250, 2)
        cart.add(750)
        self.assertEqual(cart.total(), 1250)
        self.assertEqual(summary_line(cart.items), "3 items, 12.50")


if __name__ == "__main__":
    unittest.main()
