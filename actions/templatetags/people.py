from django import template

from core.people import person_name

register = template.Library()


@register.filter
def person(user, default: str = "") -> str:
    """`{{ review.updated_by|person }}`: the name a user reads for an account (core.people)."""
    return person_name(user, default)
