"""Adding a user's own file to a pack: check it, preview it, import it, save it (see ``files``).

``files`` holds the steps the Data page calls in order; ``merge`` merges an import into a pack;
``save`` writes the result as a new pack or into the current pack as it is now. This module
re-exports their public names, so a page imports ``from sector_map import upload``.

May import: ``sector_map.pack``, ``sector_map.importers``, ``sector_map.build`` and
``sector_map.upload``.
"""

from sector_map.upload.files import *  # noqa: F403
from sector_map.upload.files import __all__ as _files_all
from sector_map.upload.save import *  # noqa: F403
from sector_map.upload.save import __all__ as _save_all

__all__ = [*_files_all, *_save_all]
