def test_the_county_admin_is_warned_in_december_when_next_year_has_no_calendar(client_for, on_day):
    import datetime as dt

    body = client_for("county_admin").get("/").content.decode()
    assert 'data-testid="calendar-missing"' in body and "2027年节假日安排尚未录入" in body
    on_day(dt.date(2026, 11, 10))
    assert 'data-testid="calendar-missing"' not in client_for("county_admin").get("/").content.decode()
    on_day(dt.date(2026, 12, 10))
    assert 'data-testid="calendar-missing"' not in client_for("township_reviewer").get("/").content.decode()
