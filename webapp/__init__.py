"""The Streamlit app's package: its pages (``webapp/pages/``, registered by ``app.py`` with
``st.navigation``) and the UI helpers they share (``webapp/support.py``). Nothing in ``kb/`` imports it."""
