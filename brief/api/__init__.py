"""The HTTP API of ``brief serve``: endpoints (``routes``), their bodies (``models``), what stands
before them (``guards``), the uvicorn server (``server``), and the one client (``client``)."""
