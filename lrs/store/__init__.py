"""The xAPI store: services that append to the event log and keep the xAPI read tables in the same transaction."""
