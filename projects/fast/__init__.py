"""The measured shortcuts into Django's and DRF's internals, each earning its keep in docs/performance.md.

Every module names the framework behaviour it relies on and the test that holds it;
tests/fast/test_versions.py fails on a Django or DRF version they were not verified on.
"""
