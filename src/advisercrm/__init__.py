"""advisercrm: a self-hostable CRM server wire-compatible with the Plannr CRM API."""

__version__ = "0.1.0"
