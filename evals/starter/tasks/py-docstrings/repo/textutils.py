def slugify(text):
    return "-".join(text.lower().split())


def truncate(text, width):
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"


def count_words(text):
    return len(text.split())


def initials(name):
    return "".join(part[0].upper() for part in name.split())


def _normalise(text):
    return " ".join(text.split())
