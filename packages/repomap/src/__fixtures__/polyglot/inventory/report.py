from inventory.store import InventoryStore


def build_report(store: InventoryStore) -> str:
    lines = [f"{item.sku}: {item.quantity}" for item in store.items()]
    return "\n".join(lines)


def restock(store: InventoryStore, skus: list[str]) -> None:
    for sku in skus:
        store.add_item(sku, 10)
