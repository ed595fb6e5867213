"""Writes of the yearly follow-up, by concern: the entry of a fiche's year (`entry`), its workflow
(`workflow`), the campaigns (`campaigns`) and the reminders (`reminders`).

Every service is atomic and enforces its rules itself, so the pilot's page, SCP's campaign pages,
the admin, the Excel import and the commands share one set of rules.
"""
