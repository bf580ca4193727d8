"""A local emulator of the Salesforce REST API subset leadsync uses (crm-apis.md 1 and 3).

``SalesforceSandbox`` runs it in a thread over HTTPS on 127.0.0.1 (tests, demo, benchmarks);
``serve_forever`` backs ``leadsync sandbox serve --crm salesforce``. Modules: ``server`` (HTTP
and TLS), ``app`` (auth, budget, faults, stats around each call), ``routes`` (the table),
``rest_api`` / ``composite_api`` / ``composite_request`` / ``bulk_api`` (the endpoints),
``soql`` (the query subset), ``org`` + ``schema`` + ``values`` (the data and its rules),
``seed`` (synthetic generator -> sObjects).
"""

from connector.sandbox.salesforce.context import SalesforceTimings
from connector.sandbox.salesforce.org import Org
from connector.sandbox.salesforce.runner import serve_forever
from connector.sandbox.salesforce.server import SalesforceSandbox

#: Alias of :func:`serve_forever` (the CLI's entry point).
serve = serve_forever

__all__ = ["Org", "SalesforceSandbox", "SalesforceTimings", "serve", "serve_forever"]
