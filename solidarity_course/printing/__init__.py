"""Paper editions: the whole book as a PDF and a source packet per chapter.

Both are HTML printed by Debian's Chromium (``chromium --headless
--print-to-pdf``, no browser download, no network): :mod:`.book` joins the
built site's pages into one print document with a contents page,
:mod:`.packets` writes each chapter's packet from the data package with
Jinja2.  ``python -m solidarity_course.printing`` (``make pdf``) builds both.
"""
