"""`python -m bench …`: set Django up with the service's settings, then run the bench (bench/run.py)."""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    django.setup()
    # Imported once Django is set up: the bench reads the settings and the models at import.
    from bench.run import main as run

    run()


if __name__ == "__main__":
    main()
