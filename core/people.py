"""How a person reads on every page, e-mail, history and document: their full name, else their login."""


def person_name(user, default: str = "") -> str:
    if user is None:
        return default
    return user.get_full_name() or user.username
