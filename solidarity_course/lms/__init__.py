"""LMS interchange: the question bank and the grades in the formats Canvas and Moodle import.

- :mod:`.exportable`: one bank question as the text every format needs (HTML, plain text,
  readable citations, excerpts with provenance) and the shared export result;
- :mod:`.qti`: an IMS QTI 1.2 package in the flavour Canvas imports;
- :mod:`.moodle_xml`: a Moodle XML question file;
- :mod:`.gift`: Moodle's GIFT text format;
- :mod:`.bank_export`: picks the chapters and calls the writer of a format;
- :mod:`.gradebook`: Canvas's gradebook CSV and Moodle's grade import CSV.
"""
