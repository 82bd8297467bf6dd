"""``python -m solidarity_course.edition``: build the instructor edition."""

import sys

from .build import main

sys.exit(main())
