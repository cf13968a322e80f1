"""Thin views, one module per page family: fetch through ``permissions``, read
through ``selectors``, write through ``services``.
"""
