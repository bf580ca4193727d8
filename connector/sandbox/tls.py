"""A throwaway certificate authority and server certificate for the emulators.

simple-salesforce only builds ``https://`` URLs (crm-apis.md 1.1), so the Salesforce emulator
serves TLS. ``trustme`` makes a CA and a certificate for ``127.0.0.1`` / ``localhost``; the CA
PEM is written to a file that clients trust (``LEADSYNC_SALESFORCE_CA_BUNDLE``).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class ServerTls:
    """TLS material of one emulator run.

    Attributes:
        ca_path: PEM file of the CA that signed the server certificate.
        context: server-side SSL context holding the certificate and key.
    """

    ca_path: Path
    context: ssl.SSLContext


def make_server_tls(ca_path: Path) -> ServerTls:
    """Create a fresh CA and server certificate; write the CA PEM to ``ca_path``.

    Args:
        ca_path: where to write the CA certificate (parent folders are created).

    Returns:
        The CA path and a server context ready for ``wrap_socket(server_side=True)``.
    """
    authority = trustme.CA(organization_name="leadsync sandbox")
    certificate = authority.issue_cert(*_HOSTS)
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    # Public certificate only, but keep it private to the user like the env file beside it.
    fd = os.open(ca_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(authority.cert_pem.bytes())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    certificate.configure_cert(context)
    return ServerTls(ca_path=ca_path, context=context)


__all__ = ["ServerTls", "make_server_tls"]
