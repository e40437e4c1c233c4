def format_user(user):
    """Return a line such as 'Ada (36)'."""
    return "%s (%d)" % (user.name, user.age)
