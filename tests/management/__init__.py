"""projects/management: the commands."""
