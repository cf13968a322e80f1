"""Reads that pages share, one module per domain: counting and grouping in SQL, a
page's query count flat in the number of obligations.
"""
