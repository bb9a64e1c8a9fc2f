"""The one MetaData object every table of the product is declared on."""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, MetaData

metadata = MetaData()

# SQLite only gives an INTEGER PRIMARY KEY the rowid's auto-increment behaviour when its type is exactly
# INTEGER, so big integer keys are declared as BIGINT on PostgreSQL and INTEGER on SQLite.
BigInt = BigInteger().with_variant(Integer(), "sqlite")
