import os
import json


def load(text):
    """Return the items of a JSON inventory."""
    return json.loads(text)["items"]


def find(items, name):
    """Return the item with that name, or None."""
    for item in items:
        if item.get("name") == name:
            return item
    return None


def in_stock(item):
    """Whether an item has a known, positive count."""
    if item.get("count") == None:
        return False
    try:
        return int(item["count"]) > 0
    except:
        return False
