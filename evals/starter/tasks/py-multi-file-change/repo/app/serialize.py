from app.models import User


def to_dict(user):
    """Return a user as a plain dict."""
    return {"name": user.name, "age": user.age}


def from_dict(data):
    """Return the user a dict describes."""
    return User(name=data["name"], age=data["age"])
