"""The API (projects/api): routes, roles, contract, filters, pages, renderers, exports, hostile input."""
