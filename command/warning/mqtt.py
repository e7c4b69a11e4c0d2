"""The paho-mqtt (2.x) glue: a subscriber that survives a broker restart without losing
or acknowledging too early, and a publisher for the simulator, replay and benches.

Delivery guarantee: QoS 1 both ways, a fixed client id and a persistent session
(``clean_session=False``), so the broker keeps the subscriber's messages while it is
away and across its own restart (Mosquitto writes them to its persistence file on a
clean shutdown and every ``autosave_interval``). The subscriber acknowledges a message
(PUBACK) only after the caller says it is stored (``manual_ack``), so a crash between
receipt and write makes the broker send it again; duplicates that this causes are
refused by the store's unique key. The broker must allow enough in-flight and queued
messages for the rate (Mosquitto: ``max_inflight_messages``, ``max_queued_messages``;
its defaults of 20 and 1000 are far too low for thousands of readings a second).

Owns: connecting, subscribing, publishing, reconnecting. Must not: parse or store
messages (the ingest of :mod:`command.app.warning_ingest` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["TOPIC_PREFIX", "TOPIC_ALL", "topic_for", "subscriber", "publisher",
           "wait_connected", "wait_published"]

log = logging.getLogger(__name__)

TOPIC_PREFIX = "ezhou/sensors/"
TOPIC_ALL = TOPIC_PREFIX + "#"


def topic_for(sensor_id: str) -> str:
    """The topic a sensor publishes on."""
    return TOPIC_PREFIX + sensor_id


def _client(client_id: str, *, clean_session: bool):
    try:
        import paho.mqtt.client as mqtt
    except ImportError as exc:  # pragma: no cover - the 'sensors' extra
        from command.errors import SettingsError

        raise SettingsError("the sensor ingest needs paho-mqtt: install the 'sensors' extra "
                            "(pip install 'ezhou-command[sensors]')") from exc
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                    clean_session=clean_session, protocol=mqtt.MQTTv311)
    c.reconnect_delay_set(min_delay=1, max_delay=4)
    return c


def subscriber(*, client_id: str, host: str, port: int,
               on_message: Callable[[str, bytes, int], None],
               topic: str = TOPIC_ALL, manual_ack: bool = True,
               max_inflight: int = 1000, keepalive: int = 30):
    """A subscriber with a persistent session; ``loop_start()`` connects it.

    ``on_message(topic, payload, mid)`` is called on the network thread for each
    message; with ``manual_ack`` the caller calls ``client.ack(mid, 1)`` once the
    message is stored. The subscription is renewed on every (re)connect.
    """
    c = _client(client_id, clean_session=False)
    c.max_inflight_messages_set(max_inflight)
    if manual_ack:
        c.manual_ack_set(True)

    def _on_connect(client, _userdata, _flags, reason_code, _props):
        if reason_code.is_failure:
            log.warning("MQTT connect to %s:%s refused: %s", host, port, reason_code)
            return
        client.subscribe(topic, qos=1)
        log.info("MQTT connected to %s:%s as %s, subscribed to %s", host, port, client_id,
                 topic)

    def _on_message(_client, _userdata, msg):
        on_message(msg.topic, msg.payload, msg.mid)

    def _on_disconnect(_client, _userdata, _flags, reason_code, _props):
        log.warning("MQTT disconnected from %s:%s (%s); reconnecting", host, port, reason_code)

    c.on_connect, c.on_message, c.on_disconnect = _on_connect, _on_message, _on_disconnect
    # asynchronous: the network loop connects, and reconnects after a broker restart
    c.connect_async(host, port, keepalive=keepalive)
    return c


def publisher(*, client_id: str, host: str, port: int, max_inflight: int = 1000,
              keepalive: int = 30):
    """A publisher with a persistent session (``loop_start()`` connects it): QoS 1
    messages published while
    the broker is away are queued in memory and sent (or re-sent, unacknowledged ones)
    when it is back. Call ``loop_start()`` on it."""
    c = _client(client_id, clean_session=False)
    c.max_inflight_messages_set(max_inflight)
    c.max_queued_messages_set(0)
    c.connect_async(host, port, keepalive=keepalive)
    return c


def wait_connected(client, *, timeout_s: float = 10.0) -> bool:
    """Wait (loop running) until ``client`` is connected; whether it is."""
    import time

    deadline = time.monotonic() + timeout_s
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    return client.is_connected()


def wait_published(infos, *, timeout_s: float = 60.0) -> int:
    """Wait until the broker acknowledged every message of ``infos`` (the results of
    ``publish``), also those queued while it was away; how many were acknowledged."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not all(i.is_published() for i in infos):
        time.sleep(0.02)
    return sum(1 for i in infos if i.is_published())
