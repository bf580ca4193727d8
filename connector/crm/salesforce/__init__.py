"""Salesforce: the adapter and its options."""

from connector.crm.salesforce.adapter import SalesforceAdapter, SalesforceOptions

__all__ = ["SalesforceAdapter", "SalesforceOptions"]
