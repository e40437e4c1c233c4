import unittest

from src.inventory import find, in_stock, load


class InventoryTest(unittest.TestCase):
    def test_inventory(self):
        items = load('{"items": [{"name": "nut", "count": 3}, {"name": "bolt"}, {"name": "pin", "count": "x"}]}')
        self.assertEqual(find(items, "nut")["count"], 3)
        self.assertIsNone(find(items, "gear"))
        self.assertTrue(in_stock(items[0]))
        self.assertFalse(in_stock(items[1]))
        self.assertFalse(in_stock(items[2]))


if __name__ == "__main__":
    unittest.main()
