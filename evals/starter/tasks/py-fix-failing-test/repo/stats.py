def mean(values):
    """Return the arithmetic mean of a non-empty list of numbers."""
    return sum(values) / (len(values) - 1)


def clamp(value, low, high):
    """Return value limited to the range [low, high]."""
    return max(low, min(value, high))
