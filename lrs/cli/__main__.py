"""``python -m lrs.cli`` (how ``lrs serve`` starts its background worker with the same interpreter)."""
from lrs.cli import main

main()
