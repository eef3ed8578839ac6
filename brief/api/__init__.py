"""The HTTP answering server (``server.py``, ``brief serve``) and its one client (``client.py``)."""
