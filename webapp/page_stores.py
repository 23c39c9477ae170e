"""Where cached pages are kept: this process's memory, or Redis shared by every worker.

Both are bounded by bytes and drop the least recently used entry first; an entry is the ETag
the page was stored under, its headers and its (compressed) body. A Redis that does not
answer is a miss or a lost put, never an error (webapp/page_cache.py, webapp/reader_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict

log = logging.getLogger(__name__)

Entry = tuple[str, list[tuple[str, str]], bytes]  # ETag, headers, body


def _size(key: str, entry: Entry) -> int:
    return len(key) + len(entry[0]) + len(entry[2]) + sum(len(k) + len(v) for k, v in entry[1])


class MemoryStore:
    """Least recently used out first, past ``max_bytes`` (one per process)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[Entry, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: str, entry: Entry) -> None:
        size = _size(key, entry)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (entry, size)
            self.size += size
            while self.size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


# KEYS: entry, sizes (hash), recency (sorted set), total; ARGV: value, size, now, cap.
_PUT = """
local old = redis.call('HGET', KEYS[2], KEYS[1])
if old then redis.call('DECRBY', KEYS[4], old) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], KEYS[1])
local total = redis.call('INCRBY', KEYS[4], ARGV[2])
local cap = tonumber(ARGV[4])
while total > cap do
  local oldest = redis.call('ZPOPMIN', KEYS[3])
  if #oldest == 0 then break end
  local size = redis.call('HGET', KEYS[2], oldest[1])
  redis.call('DEL', oldest[1])
  redis.call('HDEL', KEYS[2], oldest[1])
  if size then total = redis.call('DECRBY', KEYS[4], size) end
end
return total
"""


class RedisStore:
    """Shared by every process; least recently used out first past ``max_bytes`` (atomic)."""

    def __init__(self, url: str, max_bytes: int, prefix: str = "colophon:page:"):
        import redis

        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.sizes, self.recency, self.total = (prefix + n for n in ("sizes", "lru", "total"))
        self._put = self.client.register_script(_PUT)

    def _key(self, key: str) -> str:
        return self.prefix + "e:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> Entry | None:
        name = self._key(key)
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(name)
            pipe.zadd(self.recency, {name: time.time()}, xx=True)
            raw, _ = pipe.execute()
        except self.errors as exc:
            log.warning("page cache: Redis get failed: %s", exc)
            return None
        if raw is None:
            return None
        head, _, body = raw.partition(b"\n")
        etag, headers = json.loads(head)
        return etag, [tuple(h) for h in headers], body

    def put(self, key: str, entry: Entry) -> None:
        etag, headers, body = entry
        value = json.dumps([etag, headers]).encode() + b"\n" + body
        keys = [self._key(key), self.sizes, self.recency, self.total]
        try:
            self._put(keys=keys, args=[value, len(value), time.time(), self.max_bytes])
        except self.errors as exc:
            log.warning("page cache: Redis put failed: %s", exc)

    def clear(self) -> None:
        names = list(self.client.scan_iter(match=self.prefix + "*"))
        if names:
            self.client.delete(*names)
