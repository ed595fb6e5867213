from django import forms

from notifications.enums import Mode, NotificationKind


class PreferencesForm(forms.Form):
    """One choice (at once, daily digest, none) per kind of notification that concerns the person."""

    def __init__(self, *args, kinds: list[str], initial_modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                label=NotificationKind(kind).label,
                choices=Mode.choices,
                initial=initial_modes.get(kind, Mode.IMMEDIATE),
                widget=forms.RadioSelect,
                error_messages={"required": "Choisissez comment recevoir ce type de notification."},
            )


class OneClickForm(forms.Form):
    """The confirmation form of an e-mail's link: how to get these kinds from now on (none by default)."""

    mode = forms.ChoiceField(
        label="Désormais, pour ces notifications",
        choices=Mode.choices,
        initial=Mode.NONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment recevoir ces notifications."},
    )
