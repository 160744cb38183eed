"""Files in and out. ``importing``: CSV/XLSX imports checked row by row, written through
:mod:`storage`; ``support_import``: support plans and records from a spreadsheet;
``exporting``: the official layouts as xlsx, csv, json, pdf and the summary chart; the review's
lists and their official wording. Exporters take values and return bytes (the caller reads what
a file shows)."""
