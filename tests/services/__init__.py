"""projects/services: the writes, their workflows, caches and costs."""
