from .roles import team_ids_organized_by, user_is_organizer_or_above, user_may_read_audit


def roles(request) -> dict:
    """What the navigation needs to know about the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_invite": False, "is_organizer": False, "can_read_audit": False}
    return {
        "can_invite": bool(team_ids_organized_by(user)),
        "is_organizer": user_is_organizer_or_above(user),
        "can_read_audit": user_may_read_audit(user),
    }
