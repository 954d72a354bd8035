"""The API's serializers, one module per area: read and write classes apart, brief nesting."""
