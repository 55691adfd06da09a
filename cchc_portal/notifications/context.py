"""Template context: the unread notification count shown in the top bar."""


def unread(request) -> dict:
    return {}
