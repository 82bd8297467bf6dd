"""Where the course's own folders are, found from the package's location."""

from pathlib import Path

#: The root of the course repository (the folder holding ``_config.yml``).
COURSE_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = COURSE_ROOT / "data"
CHAPTERS_DIR = COURSE_ROOT / "chapters"
EXERCISES_DIR = COURSE_ROOT / "exercises"
#: The source texts live beside the checkout, not inside it.
SEEDS_DIR = COURSE_ROOT.parent / "shared" / "seeds"
