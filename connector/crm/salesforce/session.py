"""The HTTP session and login for Salesforce (decision 16).

Two traps live here so that nothing else has to know about them:

* ``requests`` lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` replace a
  session's ``verify`` (``Session.merge_environment_settings``). Our transport
  adapter pins its own trust on every send, so the connection's CA setting
  always wins. Proxies still come from the environment.
* An extra CA file is *added* to the system trust store, never substituted
  for it: a company proxy CA must not make the real Salesforce untrusted.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from connector.errors import ConnectionFailedError, TransientError


class _PinnedTrustAdapter(HTTPAdapter):
    """Verifies TLS with our own context and gives every call a timeout."""

    def __init__(self, context: ssl.SSLContext, timeout: float) -> None:
        self._context = context
        self._timeout = timeout
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # Whatever the environment merged into ``verify``, our context decides.
        kwargs["verify"] = True
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def build_session(*, ca_bundle: Path | None, timeout: float) -> requests.Session:
    """A ``requests.Session`` trusting the system store plus ``ca_bundle``.

    Args:
        ca_bundle: an extra CA file (the sandbox's, or a company proxy's), or None.
        timeout: seconds for connect and read on every call that sets none.
    """
    context = ssl.create_default_context()
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as error:
            msg = f"cannot read the CA file {ca_bundle}: {error}"
            raise ConnectionFailedError(
                msg, hint="check LEADSYNC_SALESFORCE_CA_BUNDLE points at a PEM file"
            ) from error
    session = requests.Session()
    session.mount("https://", _PinnedTrustAdapter(context, timeout))
    return session


def fetch_client_credentials_token(
    session: requests.Session,
    *,
    instance_url: str,
    client_id: str,
    client_secret: str,
) -> Mapping[str, Any]:
    """OAuth client-credentials login against the org's My Domain (decision 16).

    Returns:
        The token answer (``access_token``, ``instance_url``...).

    Raises:
        ConnectionFailedError: the org refused the credentials or cannot be reached.
        TransientError: the token endpoint answered 5xx or 429.
    """
    url = instance_url.rstrip("/") + "/services/oauth2/token"
    try:
        response = session.post(
            url,
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
    except requests.Timeout as error:
        msg = f"Salesforce login at {instance_url} timed out"
        raise TransientError(msg) from error
    except requests.RequestException as error:
        if isinstance(error, requests.ConnectionError) and _dropped(error):
            # The org took the call and closed the connection unanswered: try again.
            msg = f"Salesforce login at {instance_url}: connection dropped"
            raise TransientError(msg) from error
        msg = f"cannot reach Salesforce at {instance_url}: {type(error).__name__}"
        raise ConnectionFailedError(
            msg, hint="check LEADSYNC_SALESFORCE_INSTANCE_URL and the CA bundle"
        ) from error
    if response.status_code == 429 or response.status_code >= 500:
        msg = f"Salesforce login at {instance_url} answered {response.status_code}"
        raise TransientError(msg)
    if response.status_code != 200:
        detail = _oauth_error_text(response)
        msg = f"Salesforce refused the client-credentials login at {instance_url}: {detail}"
        raise ConnectionFailedError(
            msg,
            hint="check LEADSYNC_SALESFORCE_CLIENT_ID / _CLIENT_SECRET and the connected app",
        )
    return response.json()


def _dropped(error: requests.ConnectionError) -> bool:
    """Whether the server closed an accepted connection (not refused, DNS or TLS)."""
    if isinstance(error, requests.exceptions.SSLError):
        return False
    causes = [*error.args, error.__cause__, error.__context__]
    return any(
        isinstance(cause, urllib3.exceptions.ProtocolError | ConnectionResetError)
        for cause in causes
    )


def _oauth_error_text(response: requests.Response) -> str:
    # The body names the error code, never the secret; keep only those two words.
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or response.status_code)
    return f"HTTP {response.status_code}"


__all__ = ["build_session", "fetch_client_credentials_token"]
