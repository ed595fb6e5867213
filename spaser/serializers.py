"""Django's JSON serialization (dumpdata/loaddata, hence backups), keeping times to the microsecond.

Django's own encoder cuts times to the millisecond: a backup restored would not be the same data
(history rows saved in the same millisecond would even swap order by date). Registered as the
"json" format in settings.SERIALIZATION_MODULES; reading is Django's.
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import Deserializer, DjangoJSONEncoder  # noqa: F401 (the format's reader)


class PreciseJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", PreciseJSONEncoder)
        super()._init_options()
