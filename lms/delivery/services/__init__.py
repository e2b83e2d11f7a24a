"""Writes for club delivery, by sub-domain: clubs, sessions, alerts, meetings, setup and demo data.

Every change is audited with ``lms.accounts.services.audit_record``; every refusal is a
``DeliveryError`` with a readable message (nothing is written then).
"""
