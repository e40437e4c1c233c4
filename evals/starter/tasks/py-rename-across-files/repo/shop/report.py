from shop.pricing import calc_total


def summary_line(items):
    """Return a one-line summary such as '3 items, 12.50'."""
    count = sum(quantity for _, quantity in items)
    return "%d items, %.2f" % (count, calc_total(items) / 100)
