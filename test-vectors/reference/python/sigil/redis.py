"""A nonce store in Redis (redis-py), shared by every server process and
language that uses the same Redis and prefix: gunicorn workers, several
Flask hosts, and Node verifiers with ``@sigil/redis`` alike.

    import redis
    from sigil.redis import RedisNonceStore

    store = RedisNonceStore(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1))

One round trip per check, the key layout of ``@sigil/redis`` byte for byte:
``SET <prefix><key id>:<nonce> 1 NX PXAT <expires_at_ms>`` (Redis >= 6.2),
default prefix ``sigil:nonce:``. ``OK`` means first use, a null reply a
replay. Every failure (connection, timeout, unexpected reply, a closed
store) raises ``SigilError("nonce_store_unavailable")``, so the verifier
fails closed with 503; the error never carries the nonce or the client's
arguments.

Redis must not evict live nonces: run it with ``maxmemory-policy
noeviction``. The store checks the policy when it is built and refuses an
evicting one unless ``allow_eviction=True``; when ``CONFIG GET`` is refused
(managed Redis) it warns once.
"""

import math
import time
import warnings
from typing import Any, Optional

from .errors import SigilError

__all__ = ["DEFAULT_PREFIX", "RedisNonceStore"]

#: The key prefix @sigil/redis uses by default.
DEFAULT_PREFIX = "sigil:nonce:"
_KEY_ID_MAX = 128
_NONCE_MAX = 128
_warned_config = False


def _invalid(detail: str) -> SigilError:
    return SigilError("invalid_option", detail)


def _unavailable(detail: str) -> SigilError:
    return SigilError("nonce_store_unavailable", detail)


def _socket_timeout(client: Any) -> Optional[float]:
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", {}) or {}
    value = kwargs.get("socket_timeout")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class RedisNonceStore:
    """``check_and_store`` in one ``SET NX PXAT`` round trip; fails closed.

    ``client``: a ``redis.Redis`` with ``socket_timeout`` set (the bound on
    one round trip; ``None`` would wait forever, so it is refused). The store
    never connects, configures or closes the client. ``prefix``: prepended
    to every key (default ``sigil:nonce:``, as ``@sigil/redis``).
    """

    def __init__(self, client: Any, *, prefix: str = DEFAULT_PREFIX, allow_eviction: bool = False) -> None:
        if not callable(getattr(client, "execute_command", None)):
            raise _invalid("client must be a redis-py client (redis.Redis)")
        timeout = _socket_timeout(client)
        if timeout is None or not 0 < timeout <= 60:
            raise _invalid("client needs socket_timeout (seconds, at most 60): a store must never wait forever")
        if not isinstance(prefix, str) or len(prefix) > 256:
            raise _invalid("prefix must be a string of at most 256 characters")
        self.prefix = prefix
        self._client = client
        self._closed = False
        self._check_eviction(bool(allow_eviction))

    def _check_eviction(self, allow_eviction: bool) -> None:
        global _warned_config
        try:
            policy = self._client.config_get("maxmemory-policy").get("maxmemory-policy")
        except Exception:
            if not _warned_config:
                _warned_config = True
                warnings.warn("sigil.redis: CONFIG GET maxmemory-policy was refused; make sure the policy is noeviction, "
                              "or an evicted nonce can be replayed", RuntimeWarning, stacklevel=3)
            return
        policy = policy.decode() if isinstance(policy, bytes) else policy
        if policy != "noeviction" and not allow_eviction:
            raise _invalid(f"Redis maxmemory-policy is {policy}: an evicted nonce can be replayed; set it to noeviction "
                           "(or pass allow_eviction=True)")

    def __repr__(self) -> str:
        # Never the client: its options may hold the Redis password.
        return f"RedisNonceStore(prefix={self.prefix!r})"

    def check_and_store(self, key_id: str, nonce: str, expires_at_ms: float) -> bool:
        """True on first use, False on replay; ``invalid_option`` on bad arguments before any round trip."""
        if not isinstance(key_id, str) or not 1 <= len(key_id) <= _KEY_ID_MAX:
            raise _invalid(f"key_id must be a string of 1 to {_KEY_ID_MAX} characters")
        # A key id may contain ':', a nonce (base64url) never does: the last ':' splits the key.
        if not isinstance(nonce, str) or not 1 <= len(nonce) <= _NONCE_MAX or ":" in nonce:
            raise _invalid(f"nonce must be a string of 1 to {_NONCE_MAX} characters without ':'")
        if (isinstance(expires_at_ms, bool) or not isinstance(expires_at_ms, (int, float)) or not math.isfinite(expires_at_ms)
                or expires_at_ms <= time.time() * 1000):
            # Redis would take a past expiry, drop the key at once and answer OK to every replay.
            raise _invalid("expires_at_ms must be a finite time in the future, in milliseconds since the epoch")
        if self._closed:
            raise _unavailable("the store is closed")
        at = str(math.ceil(expires_at_ms))  # forgotten no earlier than expires_at_ms
        try:
            reply = self._client.execute_command("SET", f"{self.prefix}{key_id}:{nonce}", "1", "NX", "PXAT", at)
        except Exception as error:
            # The cause is dropped: redis-py errors may quote the command, nonce included.
            raise _unavailable(f"the redis command failed ({type(error).__name__})") from None
        if reply is None:
            return False
        if reply is True or reply in (b"OK", "OK"):
            return True
        raise _unavailable("unexpected reply from redis")

    def close(self) -> None:
        """Later calls raise ``nonce_store_unavailable``; the client stays open (it is the caller's)."""
        self._closed = True
