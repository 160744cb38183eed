"""Writers of report rows: JSON, CSV (UTF-8 with BOM), a rich table for the terminal and an XLSX
workbook laid out like the official appendix. Each takes the ``translate`` function of the caller
for the msgids a report carries."""
