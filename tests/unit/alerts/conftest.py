"""Fixtures of the alert tests: loopback SMTP and webhook receivers (``alert_receivers``)."""

from alert_receivers import _clean_env, smtp_server, webhook_server

__all__ = ["_clean_env", "smtp_server", "webhook_server"]
