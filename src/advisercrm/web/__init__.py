"""The adviser's workspace: server-rendered pages at `/` on the API's own services and
visibility rules. Nothing imports this package but the app."""
