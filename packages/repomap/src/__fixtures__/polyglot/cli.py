from inventory.report import build_report, restock
from inventory.store import InventoryStore


def main() -> None:
    store = InventoryStore()
    restock(store, ["apple", "pear"])
    store.add_item("plum")
    print(build_report(store))


if __name__ == "__main__":
    main()
