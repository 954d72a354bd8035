"""The benchmarks of docs/performance.md, kept outside the service's package: nothing the service
runs imports them.

    python -m bench --projects 100000      each API request against its floor (bench/run.py, bench/floor.py)
    python -m bench.loadtest --database-url …   gunicorn under concurrent clients (bench/loadtest.py)

Both need the repository's root as the working directory, as manage.py does.
"""
