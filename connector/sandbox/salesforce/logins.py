"""How a client logs in to the emulated org: the four logins of crm-apis.md 1.1.

- OAuth client credentials (``grant_type=client_credentials``, Basic auth or form fields);
- OAuth username-password (``grant_type=password`` with the connected app's key and secret);
- JWT bearer (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``): an RS256
  assertion signed with the key whose public half is registered on the connected app;
- SOAP ``login`` on ``/services/Soap/u/{version}`` (username, password + security token).

simple-salesforce sends the last three to ``https://{domain}.salesforce.com/...``. The
emulator also serves the login endpoints under a ``/<name>.salesforce.com`` path prefix, so
``domain="127.0.0.1:PORT/login"`` makes the SDK's own URLs land here
(``https://127.0.0.1:PORT/login.salesforce.com/services/Soap/u/62.0``).
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connector.sandbox.salesforce.access import ORG_ID, TokenStore
from connector.sandbox.salesforce.wire import Request, Response

TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
USER_ID = "0055g00000SandboxAAA"
_LOGIN_HOST_PREFIX = re.compile(r"^/[^/]+\.salesforce\.com(?=/)")
_SOAP_LOGIN = re.compile(r"^/services/Soap/u/(?P<version>\d+\.\d+)$")
_SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_INVALID_LOGIN = "Invalid username, password, security token; or user locked out."


@dataclass(frozen=True)
class Credentials:
    """What the org accepts: one connected app and one integration user.

    Attributes:
        client_id: the connected app's consumer key (client credentials, password, JWT).
        client_secret: its consumer secret.
        username: the integration user.
        password: the user's password.
        security_token: the token appended to the password on SOAP logins.
    """

    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str

    @classmethod
    def generate(cls) -> Credentials:
        """Fresh random credentials (the JWT key pair is shared by the process's emulators)."""
        return cls(
            client_id="3MVG9sandbox" + secrets.token_hex(12),
            client_secret=secrets.token_hex(32),
            username="integration@leadsync.sandbox",
            password="Pw-" + secrets.token_urlsafe(12),
            security_token=secrets.token_urlsafe(18),
        )

    @property
    def private_key_pem(self) -> bytes:
        """The JWT signing key (PKCS#8 PEM) a client of this org signs its assertions with."""
        return _key_pair()[0]

    @property
    def public_key_pem(self) -> bytes:
        """The public half, as the connected app's certificate would hold it."""
        return _key_pair()[1]


@functools.cache
def _key_pair() -> tuple[bytes, bytes]:
    # Made on first use and kept: an RSA key costs ~0.1 s and most emulators never see a JWT.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def login_route(path: str) -> str | None:
    """``token`` or ``soap`` when ``path`` is a login endpoint (host prefix allowed), else None."""
    trimmed = _LOGIN_HOST_PREFIX.sub("", path).rstrip("/")
    if trimmed == TOKEN_PATH:
        return "token"
    if _SOAP_LOGIN.match(trimmed):
        return "soap"
    return None


def token_answer(
    request: Request, *, credentials: Credentials, tokens: TokenStore, instance_url: str
) -> Response:
    """Answer ``POST /services/oauth2/token`` for the three OAuth grants the org allows.

    Bad credentials get 400 with the OAuth error JSON (not the REST error array).
    """
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    form.update({k: v for k, v in request.query.items() if k not in form})
    grant = form.get("grant_type")
    if grant == "client_credentials":
        given_id, given_secret = _client_of(request, form)
        if not (
            _same(given_id, credentials.client_id)
            and _same(given_secret, credentials.client_secret)
        ):
            return _oauth_error("invalid_client", "invalid client credentials")
    elif grant == "password":
        given_id, given_secret = _client_of(request, form)
        if not _same(given_id, credentials.client_id):
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not _same(given_secret, credentials.client_secret):
            return _oauth_error("invalid_client", "invalid client credentials")
        # As on a real org outside a trusted IP range, the password carries the token.
        if not (
            _same(form.get("username"), credentials.username)
            and _same(form.get("password"), credentials.password + credentials.security_token)
        ):
            return _oauth_error("invalid_grant", "authentication failure")
    elif grant == JWT_GRANT:
        refusal = _check_assertion(form.get("assertion", ""), credentials, instance_url)
        if refusal is not None:
            return refusal
    else:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    token = tokens.issue()
    return Response(
        200,
        {
            "access_token": token,
            "signature": secrets.token_urlsafe(32),
            "scope": "api",
            "instance_url": instance_url,
            "id": f"{instance_url}/id/{ORG_ID}/{USER_ID}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
        },
    )


def soap_login_answer(
    request: Request, *, credentials: Credentials, tokens: TokenStore, instance_url: str
) -> Response:
    """Answer the partner API's SOAP ``login`` call (password followed by the security token).

    A wrong login is HTTP 500 with a ``LoginFault`` carrying ``INVALID_LOGIN``, as Salesforce
    answers it.
    """
    version = _SOAP_LOGIN.match(_LOGIN_HOST_PREFIX.sub("", request.path).rstrip("/"))
    api_version = version.group("version") if version else "62.0"
    given = _soap_fields(request.body)
    if given is None:
        return _soap_fault("soapenv:Client", "INVALID_LOGIN", "Unable to parse the login request")
    username, password = given
    if not (
        _same(username, credentials.username)
        and _same(password, credentials.password + credentials.security_token)
    ):
        return _soap_fault("sf:INVALID_LOGIN", "INVALID_LOGIN", _INVALID_LOGIN)
    token = tokens.issue()
    server = f"{instance_url}/services/Soap/u/{api_version}/{ORG_ID}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_SOAP_NS}" xmlns="urn:partner.soap.sforce.com">'
        "<soapenv:Body><loginResponse><result>"
        f"<metadataServerUrl>{instance_url}/services/Soap/m/{api_version}/{ORG_ID}"
        "</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        f"<serverUrl>{server}</serverUrl><sessionId>{escape(token)}</sessionId>"
        f"<userId>{USER_ID}</userId><userInfo><organizationId>{ORG_ID}</organizationId>"
        f"<userName>{escape(credentials.username)}</userName></userInfo>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(200, text=body, content_type="text/xml;charset=UTF-8")


def _client_of(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The connected app's key and secret, from HTTP Basic auth or the form."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(auth[6:].strip()).decode("utf-8")
        except ValueError:
            decoded = ""
        given_id, _, given_secret = decoded.partition(":")
        return given_id, given_secret
    return form.get("client_id"), form.get("client_secret")


def _check_assertion(
    assertion: str, credentials: Credentials, instance_url: str
) -> Response | None:
    """None when the JWT is one Salesforce would accept, else its OAuth refusal."""
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            credentials.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iss", "sub", "aud", "exp"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError:
        return _oauth_error("invalid_grant", "expired access/refresh token")
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    if not _same(str(claims["iss"]), credentials.client_id):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if str(claims["aud"]).rstrip("/") not in _audiences(instance_url):
        return _oauth_error("invalid_grant", "audience is invalid")
    if not _same(str(claims["sub"]), credentials.username):
        return _oauth_error("invalid_grant", "user hasn't approved this consumer")
    return None


def _audiences(instance_url: str) -> set[str]:
    # Salesforce takes the login hosts or the org's own URL; the path-prefixed forms are
    # what simple-salesforce builds from domain="127.0.0.1:PORT/login" (or /test).
    hosts = ("login.salesforce.com", "test.salesforce.com")
    return {instance_url, *(f"https://{h}" for h in hosts), *(f"{instance_url}/{h}" for h in hosts)}


def _soap_fields(body: bytes) -> tuple[str, str] | None:
    """(username, password) of a SOAP ``login`` envelope, or None when it is not one."""
    try:
        # The envelope comes from a client on loopback; entity expansion is no concern here.
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError:
        return None
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in {"username", "password"}:
            found[name] = element.text or ""
    if set(found) != {"username", "password"}:
        return None
    return found["username"], found["password"]


def _soap_fault(faultcode: str, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_SOAP_NS}" xmlns:sf="urn:fault.partner.soap.sforce.com"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>{faultcode}</faultcode><faultstring>{code}: {escape(message)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault">'
        f"<sf:exceptionCode>{code}</sf:exceptionCode>"
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(500, text=body, content_type="text/xml;charset=UTF-8")


def _oauth_error(error: str, description: str) -> Response:
    return Response(400, {"error": error, "error_description": description})


def _same(given: str | None, expected: str) -> bool:
    return secrets.compare_digest((given or "").encode(), expected.encode())


__all__ = [
    "JWT_GRANT",
    "TOKEN_PATH",
    "Credentials",
    "login_route",
    "soap_login_answer",
    "token_answer",
]
