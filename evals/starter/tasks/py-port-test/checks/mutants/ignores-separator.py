import re


def slugify(text, separator="-"):
    """Return a URL slug: lower case, ASCII letters and digits, words joined by separator."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)
