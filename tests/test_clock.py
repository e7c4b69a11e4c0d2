"""command.clock: aware UTC, naive refused, the Beijing day at the hours its date differs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from command.clock import BEIJING, as_utc, beijing_date, beijing_day_start, utc_now

UTC = UTC


@pytest.mark.parametrize("now, day_start, date", [
    # 16:00:20 UTC is 00:00:20 Beijing of the next day: the day has just begun.
    (datetime(2026, 12, 3, 16, 0, 20, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
     "2026-12-04"),
    (datetime(2026, 12, 3, 18, 30, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
     "2026-12-04"),
    (datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
     "2026-12-04"),
    # UTC midnight is 08:00 Beijing: same Beijing day as 16:00 UTC the evening before.
    (datetime(2026, 12, 4, 0, 0, tzinfo=UTC), datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
     "2026-12-04"),
    # 15:59:59 UTC is the last second of the Beijing day.
    (datetime(2026, 12, 3, 15, 59, 59, tzinfo=UTC), datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
     "2026-12-03"),
    (datetime(2026, 12, 3, 16, 0, 20, tzinfo=BEIJING), datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
     "2026-12-03"),
])
def test_the_beijing_day(now, day_start, date):
    assert beijing_day_start(now) == day_start
    assert beijing_day_start(now).tzinfo == UTC
    assert beijing_date(now).isoformat() == date
    assert day_start <= now < day_start + timedelta(days=1)


def test_naive_times_are_refused_with_the_field():
    with pytest.raises(ValueError, match=r"created_at: 2026-12-03T10:00:00 has no time zone"):
        as_utc(datetime(2026, 12, 3, 10), field="created_at")
    assert as_utc(datetime(2026, 12, 3, 18, tzinfo=BEIJING)) == datetime(2026, 12, 3, 10,
                                                                          tzinfo=UTC)


def test_utc_now_follows_the_pinned_clock():
    with time_machine.travel(datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC), tick=False):
        assert utc_now() == datetime(2026, 12, 3, 23, 59, 30, tzinfo=UTC)
        assert beijing_date(utc_now()).isoformat() == "2026-12-04"
