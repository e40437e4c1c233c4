def calc_total(items):
    """Return the total price in cents of (price, quantity) pairs."""
    return sum(price * quantity for price, quantity in items)
