"""Redis pub/sub between processes: "job X has new events" from workers to the service's EventHub.

Messages carry only the job id; the events themselves are read from the database (the one
source of truth), so a lost or duplicated message costs at most a late or an extra read.
"""

import logging
import threading
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

RECONNECT_SECONDS = 1.0


def channel_name(queue: str) -> str:
    """One channel per deployment (deployments sharing a Redis use different queue names)."""
    return f"{queue}.job-events"


class RedisRelay:
    """Publishes job ids; optionally listens on a thread and hands received ids to a callback."""

    def __init__(self, url: str, queue: str, timeout: float = 1.0) -> None:
        self.channel = channel_name(queue)
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._url, self._timeout = url, timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self, job_id: str) -> None:
        try:
            self._redis.publish(self.channel, job_id)
        except redis.RedisError as exc:  # subscribers fall back to their safety poll
            log.warning("could not publish events of job %s: %s", job_id, exc)

    def listen(self, callback: Callable[[str], None]) -> None:
        """Starts the listener thread (reconnects after a Redis outage)."""
        self._thread = threading.Thread(target=self._listen, args=(callback,), name="optserve-event-relay",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout + 2)
        self._redis.close()

    def _listen(self, callback: Callable[[str], None]) -> None:
        while not self._stop.is_set():
            client = redis.Redis.from_url(self._url, socket_timeout=None, socket_connect_timeout=self._timeout)
            pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self.channel)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is not None and message["type"] == "message":
                        callback(message["data"].decode())
            except redis.RedisError as exc:
                log.warning("event relay lost Redis (%s); reconnecting", exc)
                self._stop.wait(RECONNECT_SECONDS)
            finally:
                pubsub.close()
                client.close()
