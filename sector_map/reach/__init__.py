"""Our reach: who an organisation reaches, against who lives in its area, by deprivation.

Beneficiary records (postcodes, or counts by postcode, sector, LSOA or ward) are read from bytes in
memory and reduced at once to counts by LSOA; the postcodes themselves are never written anywhere
(disk, logs, caches, the pack, error text). From those counts and the pack's LSOA table this package
works out reach per ward, per national deprivation decile and per local quintile, with 95% intervals,
the slope and relative indices of inequality and a concentration index; protects small numbers; and
draws the charts and exports. Plain Python: no Streamlit.

May import: ``pack``, ``importers`` (reading tables), ``analysis``, ``views`` and ``export`` (map
and print conventions), and ``directory`` (saving measured reach as a service area). Imported by:
``cli`` and the app's ``ui`` and ``app_pages`` (the Our reach page).
"""
