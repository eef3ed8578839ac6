"""The Streamlit app's parts: session and login, rendering, and one module per page."""
