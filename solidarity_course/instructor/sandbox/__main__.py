"""``python -m solidarity_course.instructor.sandbox``: the jail launcher (or ``--check``)."""

import sys

from .launcher import main

sys.exit(main())
