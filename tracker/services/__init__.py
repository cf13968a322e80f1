"""Every write to the domain goes through a function here, one module per domain.

Each service checks who may act (``PermissionDenied``), checks the domain rules
(``ServiceError`` with a translated message, nothing changed), and writes in one
transaction the change, a ``ProgressUpdate`` for the human timeline and a
django-simple-history row carrying the acting user (``common``).
"""
