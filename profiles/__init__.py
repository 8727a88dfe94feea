"""Communication profiles: the schema (model), the encrypted store, JSON import/export, the audit log.

No Qt and no audio imports here: the desktop editor (ui/) and the command line (assistant/)
build on this package. See SCHEMA.md for the profile and STORE.md for the store's design.
"""
