"""The SQLite music library: connection, migrations, repository and scanner. No Qt."""
