from actions import roles


def user_roles(request):
    user = request.user
    return {
        "user_is_scp": roles.is_scp(user),
        "user_is_committee": roles.is_committee(user),
        "user_is_pilot": roles.is_pilot(user),
    }


def demo_notice(request):
    """Whether demo values are in the database: every page then says so (one cheap query)."""
    from indicators.models import IndicatorValue

    return {"demo_data_present": IndicatorValue.objects.filter(is_demo=True).exists()}
