"""The admin (projects/admin): its pages, imports, roles and the cockpit on its index."""
