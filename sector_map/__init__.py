"""sector-map: the voluntary and community sector over ward-level need, as plain Python."""

__version__ = "0.1.0"
