"""The local SQLite library: schema, migrations, repositories. The only package that touches SQL."""
