"""An in-memory stock of items."""

from dataclasses import dataclass


@dataclass
class Item:
    sku: str
    quantity: int


class InventoryStore:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add_item(self, sku: str, quantity: int = 1) -> Item:
        item = self._items.setdefault(sku, Item(sku, 0))
        item.quantity += quantity
        return item

    def remove_item(self, sku: str) -> None:
        self._items.pop(sku, None)

    def items(self) -> list[Item]:
        return list(self._items.values())
