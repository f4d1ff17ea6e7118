"""Importers: turn published procedure databases into knowledge-base entries.

Imported entries carry origin = "imported"; the knowledge base lets a curated entry
with the same national code replace them (see knowledge.base).
"""
