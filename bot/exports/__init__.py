"""`taskforce export`: records of a project as Excel sheets or CSV, one exporter per kind."""
