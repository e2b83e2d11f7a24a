"""Reads for club delivery, by sub-domain: access, the kits' session plans, clubs, meetings, report."""
