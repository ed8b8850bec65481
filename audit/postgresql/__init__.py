"""The app's PostgreSQL backend (the DATABASES ENGINE for every postgres:// URL): see base.py."""
