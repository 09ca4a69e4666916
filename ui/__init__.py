"""App-side helpers: the only code besides app_pages/ that imports streamlit."""
