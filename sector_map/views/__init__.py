"""What the pages draw: map classes and colours, web maps, charts and plain-text summaries.

Owns: classification (``classify``), folium maps and their layers (``maps``, ``map_layers``,
``web_assets``), charts, the ward-profile map figure, key figures (``summaries``), the About and
Data page figures (``about``, ``pack_report``) and the plain messages for what a pack lacks
(``missing``). Returns figures, tables and text; never calls Streamlit.

May import: ``sector_map.pack``, ``sector_map.analysis`` and ``sector_map.views``.
"""
