"""Files in and out: workbooks and documents in the official layouts. Values in, bytes out;
no database access (the caller reads what a file shows)."""
