import sys

from sector_map.cli.main import main

sys.exit(main())
