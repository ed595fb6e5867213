from actions import rights
from actions.caching import render_once, stamped_key
from indicators.models import IndicatorValue


def user_rights(request):
    """What the user may do, for templates: `{% if rights.may_export %}` (actions.rights)."""
    return {"rights": rights.UserRights(request.user)}


def demo_notice(request):
    """Whether demo values are in the database: every page then says so (looked up once per data version)."""
    present = render_once(stamped_key("demo-notice"), IndicatorValue.objects.filter(is_demo=True).exists)
    return {"demo_data_present": present}
