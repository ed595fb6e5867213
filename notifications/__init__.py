"""Notifications: e-mails to pilots and SCP, each person's preferences, the record of every sending."""
