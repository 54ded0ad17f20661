"""Writes room calendars as another program would (Python's icalendar), and the busy times an independent expander
(recurring-ical-events) finds in them, for tests/tests/calendars.rs to compare with the kiosk's blocks.

    make_feeds.py OUT_DIR WINDOW_START WINDOW_END HUB_ZONE

Writes OUT_DIR/<feed>.ics and OUT_DIR/expected.json: {feed: [[start, end, uid], ...]} in UTC epoch seconds, every
occurrence overlapping the window that makes the room busy (not cancelled, not marked free, not of zero length).
Floating times and all-day events are in the calendar's X-WR-TIMEZONE, else the hub's zone. A DURATION of hours,
minutes and seconds is exact time, as RFC 5545 (3.3.6) says; Python's arithmetic on zoned datetimes is wall-clock
time, so across a clock change those ends are worked out here from the start instead.
"""

import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

out, window_start, window_end, hub_zone = sys.argv[1:5]
out = Path(out)
window = (datetime.fromisoformat(window_start), datetime.fromisoformat(window_end))
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def event(uid, start, end=None, summary=None, **extra):
    component = icalendar.Event()
    component.add("uid", uid)
    component.add("summary", summary or uid)
    component.add("dtstamp", datetime(2026, 12, 1, tzinfo=timezone.utc))
    component.add("dtstart", start)
    if end is not None:
        component.add("dtend", end)
    for key, value in extra.items():
        component.add(key.replace("_", "-"), value)
    return component


def calendar(events, x_wr_timezone=None):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Hub Kiosk tests//make_feeds.py//EN")
    cal.add("version", "2.0")
    if x_wr_timezone:
        cal.add("x-wr-timezone", x_wr_timezone)
    for component in events:
        cal.add_component(component)
    cal.add_missing_timezones()
    return cal


def london():
    tuesday = event("tuesday-club", datetime(2027, 1, 5, 10, 0, tzinfo=LONDON), datetime(2027, 1, 5, 11, 30, tzinfo=LONDON),
                    rrule={"freq": "weekly"}, exdate=[datetime(2027, 3, 30, 10, 0, tzinfo=LONDON)])
    moved = event("tuesday-club", datetime(2027, 10, 26, 14, 0, tzinfo=LONDON), datetime(2027, 10, 26, 15, 0, tzinfo=LONDON),
                  recurrence_id=datetime(2027, 10, 26, 10, 0, tzinfo=LONDON))
    called_off = event("tuesday-club", datetime(2027, 11, 2, 10, 0, tzinfo=LONDON), datetime(2027, 11, 2, 11, 30, tzinfo=LONDON),
                       recurrence_id=datetime(2027, 11, 2, 10, 0, tzinfo=LONDON), status="CANCELLED")
    # The last Sunday of the month at 01:30: on 28 March that time does not exist, on 31 October it happens twice.
    night = event("night-backup", datetime(2027, 1, 31, 1, 30, tzinfo=LONDON), datetime(2027, 1, 31, 2, 30, tzinfo=LONDON),
                  rrule={"freq": "monthly", "byday": "-1SU"})
    fifteenth = event("board-meeting", datetime(2027, 1, 15, 18, 0, tzinfo=LONDON), datetime(2027, 1, 15, 20, 0, tzinfo=LONDON),
                      rrule={"freq": "monthly", "count": 12})
    easter = event("easter-closure", date(2027, 3, 26), date(2027, 3, 30))
    visit = event("inspection", datetime(2027, 6, 9, 13, 0, tzinfo=timezone.utc), datetime(2027, 6, 9, 14, 45, tzinfo=timezone.utc))
    free = event("lunch-hint", datetime(2027, 2, 2, 12, 0, tzinfo=LONDON), datetime(2027, 2, 2, 13, 0, tzinfo=LONDON), transp="TRANSPARENT")
    gone = event("cancelled-talk", datetime(2027, 2, 3, 12, 0, tzinfo=LONDON), datetime(2027, 2, 3, 13, 0, tzinfo=LONDON), status="CANCELLED")
    return calendar([tuesday, moved, called_off, night, fifteenth, easter, visit, free, gone])


def new_york():
    standup = event("standup", datetime(2027, 1, 4, 9, 0, tzinfo=NEW_YORK), datetime(2027, 1, 4, 10, 0, tzinfo=NEW_YORK),
                    rrule={"freq": "weekly", "byday": ["MO", "WE"], "until": datetime(2027, 12, 1, 5, 0, tzinfo=timezone.utc)},
                    exdate=[datetime(2027, 7, 5, 9, 0, tzinfo=NEW_YORK)])
    meetup = event("meetup", datetime(2027, 1, 14, 19, 0, tzinfo=NEW_YORK), datetime(2027, 1, 14, 21, 30, tzinfo=NEW_YORK),
                   rrule={"freq": "monthly", "byday": "2TH"})
    # 02:30 on 14 March does not exist; 01:30 on 7 November happens twice.
    gap = event("early-gap", datetime(2027, 3, 14, 2, 30, tzinfo=NEW_YORK), duration=timedelta(hours=2))
    fold = event("early-fold", datetime(2027, 11, 7, 1, 30, tzinfo=NEW_YORK), duration=timedelta(minutes=90))
    floating = event("floating", datetime(2027, 5, 20, 9, 0), datetime(2027, 5, 20, 12, 0))
    holiday = event("independence-day", date(2027, 7, 4))
    return calendar([standup, meetup, gap, fold, floating, holiday], x_wr_timezone="America/New_York")


# Outlook's own description of its "GMT Standard Time" (the UK's zone), rules rather than dates. (The VTIMEZONE
# icalendar writes for Europe/London puts the spring change at 02:00 GMT, an hour late, so it is not used here.)
OUTLOOK_ZONE = """BEGIN:VTIMEZONE\r
TZID:GMT Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0000\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T010000\r
TZOFFSETFROM:+0000\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def outlook():
    """The London calendar as Outlook writes it: the zone under Outlook's name, described by the file's VTIMEZONE
    (the kiosk reads the rules; icalendar knows the name)."""
    text = london().to_ical().decode()
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE") + len("END:VTIMEZONE\r\n")
    text = text[:start] + OUTLOOK_ZONE + text[end:]
    # icalendar reads a time in a VTIMEZONE's spring gap with the offset after it, where RFC 5545 says before (as
    # zoneinfo does, which the London feed is checked against): the night of 28 March is left out here.
    rule = "RRULE:FREQ=MONTHLY;BYDAY=-1SU\r\n"
    assert rule in text
    text = text.replace(rule, rule + "EXDATE;TZID=GMT Standard Time:20270328T013000\r\n")
    return text.replace("Europe/London", "GMT Standard Time")


def busy(text):
    cal = icalendar.Calendar.from_ical(text)
    own = cal.get("x-wr-timezone")
    zone = ZoneInfo(str(own)) if own else ZoneInfo(hub_zone)
    durations = {str(e["uid"]): e["duration"].dt for e in cal.walk("VEVENT") if "duration" in e}
    found = []
    for occurrence in recurring_ical_events.of(cal).between(*window):
        if str(occurrence.get("status", "")).upper() == "CANCELLED":
            continue
        if str(occurrence.get("transp", "")).upper() == "TRANSPARENT":
            continue
        start, end = occurrence.start, occurrence.end

        def instant(moment):
            if not isinstance(moment, datetime):
                moment = datetime(moment.year, moment.month, moment.day)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return int(moment.timestamp())

        duration = durations.get(str(occurrence["uid"]))
        start, end = instant(start), instant(end)
        if duration is not None and duration.days == 0:
            end = start + int(duration.total_seconds())
        if end > start and end > window[0].timestamp() and start < window[1].timestamp():
            found.append([start, end, str(occurrence["uid"])])
    return sorted(found)


feeds = {"london": london().to_ical().decode(), "new-york": new_york().to_ical().decode(), "outlook": outlook()}
expected = {}
for name, text in feeds.items():
    (out / f"{name}.ics").write_text(text, newline="")
    expected[name] = busy(text)
(out / "expected.json").write_text(json.dumps(expected, indent=1))
