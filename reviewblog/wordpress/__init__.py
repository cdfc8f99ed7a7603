"""Moving a WordPress blog in: `wxr` reads the export, `convert` turns its HTML into Markdown, `importer`
makes reviews, comments, images and old links of it (run by `manage.py import_wordpress`)."""
