"""projects/models and projects/querysets: constraints, the date-dependent flags, their compiled SQL."""
