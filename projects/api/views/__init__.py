"""The API's viewsets and views, one module per area."""
