"""MQTT synchronisation: kiosk-side outbox publisher, office-side ingest, payloads, topics.

A result reaches the office exactly once: the kiosk closes an outbox row only on the office
application acknowledgement, and the office deduplicates on message_id.
"""
