"""Everything that leaves the server: mail, group robots, and the one guard every HTTP request passes (guard.py)."""
