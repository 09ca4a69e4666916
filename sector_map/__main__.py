import sys

from sector_map.cli import main

sys.exit(main())
