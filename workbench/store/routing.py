"""Task routing: with `overlap = N`, each document goes to N annotators.

An annotator is offered the first document they have not annotated that fewer than N
others have done or hold an unexpired claim on; taking it claims it. A claim left by
a crashed or disconnected session expires, and the document goes back to the queue.
The choice and the claim are one BEGIN IMMEDIATE transaction, so two annotators
starting together never get the same slot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..model import IN_PROGRESS
from .base import DONE_STATUSES, StoreBase

_DONE = ", ".join(f"'{s}'" for s in DONE_STATUSES)

# Others who did the document, plus others holding a live claim who have not done it.
_NEXT = f"""
SELECT d.id FROM documents d
WHERE d.id >= :from
  AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = d.id AND a.annotator = :me)
  AND (SELECT count(*) FROM annotations a
        WHERE a.doc_id = d.id AND a.annotator != :me AND a.status IN ({_DONE}))
    + (SELECT count(*) FROM claims c
        WHERE c.doc_id = d.id AND c.annotator != :me AND c.expires_at > :now
          AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = c.doc_id
                          AND a.annotator = c.annotator AND a.status IN ({_DONE})))
    < :overlap
ORDER BY d.id LIMIT 1
"""


# Browsing on (the "next document" key): the next document that is the annotator's
# own, or that they may take under the overlap.
_AFTER = f"""
SELECT d.id FROM documents d
WHERE d.id > :after
  AND (EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = d.id AND a.annotator = :me)
       OR (SELECT count(*) FROM annotations a
            WHERE a.doc_id = d.id AND a.annotator != :me AND a.status IN ({_DONE}))
        + (SELECT count(*) FROM claims c
            WHERE c.doc_id = d.id AND c.annotator != :me AND c.expires_at > :now
              AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.doc_id = c.doc_id
                              AND a.annotator = c.annotator AND a.status IN ({_DONE})))
        < :overlap)
ORDER BY d.id LIMIT 1
"""


class RoutingMixin(StoreBase):
    def claim_next_document(self, annotator: str, overlap: int, claim_s: float) -> int | None:
        """The document this annotator should do next under `overlap`, claimed for
        `claim_s` seconds: their latest one in progress, else the first that fewer
        than `overlap` others have done or claimed. None: nothing left for them."""
        now = datetime.now(UTC)
        stamp = now.isoformat(timespec="milliseconds")
        expires = (now + timedelta(seconds=claim_s)).isoformat(timespec="milliseconds")
        query = {"me": annotator, "now": stamp, "overlap": overlap, "from": 0}
        # The scan from the first document is a read, done before the write lock (WAL:
        # it waits for no one); under the lock the choice is checked again from that
        # document on, so the lock is held for a lookup, not a scan of the finished.
        found = self.db.conn.execute(_NEXT, query).fetchone()
        query["from"] = 0 if found is None else found[0]
        with self._write() as conn:
            row = conn.execute(
                "SELECT doc_id FROM annotations WHERE annotator = ? AND status = ?"
                " ORDER BY updated_at DESC LIMIT 1",
                (annotator, IN_PROGRESS),
            ).fetchone()
            if row is None:
                row = conn.execute(_NEXT, query).fetchone()
            if row is None:
                return None
            conn.execute(
                "INSERT INTO claims (doc_id, annotator, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (doc_id, annotator) DO UPDATE SET expires_at = excluded.expires_at",
                (row[0], annotator, expires),
            )
            return int(row[0])

    def claim_document_after(
        self, annotator: str, overlap: int, claim_s: float, after: int
    ) -> int | None:
        """The next document after `after` this annotator may open under `overlap`:
        one of their own, or one fewer than `overlap` others have done or claimed
        (claimed for `claim_s` seconds). None: there is none."""
        now = datetime.now(UTC)
        query = {
            "me": annotator,
            "now": now.isoformat(timespec="milliseconds"),
            "overlap": overlap,
            "after": after,
        }
        expires = (now + timedelta(seconds=claim_s)).isoformat(timespec="milliseconds")
        with self._write() as conn:
            row = conn.execute(_AFTER, query).fetchone()
            if row is None:
                return None
            conn.execute(
                "INSERT INTO claims (doc_id, annotator, expires_at) SELECT ?, ?, ? WHERE NOT"
                " EXISTS (SELECT 1 FROM annotations WHERE doc_id = ? AND annotator = ?)"
                " ON CONFLICT (doc_id, annotator) DO UPDATE SET expires_at = excluded.expires_at",
                (row[0], annotator, expires, row[0], annotator),
            )
            return int(row[0])

    def claimants(self, doc_id: int) -> list[str]:
        """Who holds an unexpired claim on the document."""
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = self._rows(
            "SELECT annotator FROM claims WHERE doc_id = ? AND expires_at > ? ORDER BY annotator",
            [doc_id, stamp],
        )
        return [r["annotator"] for r in rows]
