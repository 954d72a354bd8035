"""Django's database backends with the before-commit hooks of projects.fast.commit."""
